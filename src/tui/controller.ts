/**
 * The interface without a renderer: owns the state (the reducer), the
 * refresh loop, the one pending question or prompt, and turns each key
 * press into a command through the key-binding table. It runs from the
 * first painted frame, before Ink has loaded, so a key typed at once is
 * answered at once; the Ink app later renders the same controller.
 * Everything it shows is computed from state; everything it does goes
 * through TuiServices.
 */
import { createActions, type Answer, type MainCommand } from './actions.js';
import { commandFor, type KeyScope } from './key-bindings.js';
import type { KeyPress } from './keys.js';
import type { Snapshot, TuiServices } from './model.js';
import { createRefreshLoop } from './refresh-loop.js';
import { formValues, initialState, reducer, type Action, type Dialog, type Form, type FormValues, type Prompt, type ScreenPreview, type TuiState } from './state.js';
import type { Line } from './view/line.js';
import { checkpointsOf, ptyNameOf } from './view/rows.js';
import { journalCount } from './view/panels.js';
import { errorMessage } from '../../checkpoints/result.js';

/** Named defaults of the interface. */
export const TUI_DEFAULTS = {
  /** Live state is refreshed this often. */
  refreshMs: 2_000,
  /**
   * A screen preview is read this long after the selection settles (a held
   * key does not capture every row it passes) and never in the tick that
   * paints the key's frame: reading one spawns tmux or opens a socket.
   */
  previewDelayMs: 120,
  /**
   * A PTY session's preview is read again this long after the last read
   * settled, while it stays selected: live between refreshes, one read at a
   * time, and an unchanged screen repaints nothing.
   */
  livePreviewMs: 500,
} as const;

/** What the entry point (or a test) gives the controller. */
export interface ControllerOptions {
  readonly services: TuiServices;
  /** The quick first look. */
  readonly initial: Snapshot | null;
  readonly initialSelected?: string | null;
  /** An error to show at once (a failed attach). */
  readonly initialStatus?: string | null;
  readonly refreshMs?: number;
  /** How often a selected PTY session's preview is read again (TUI_DEFAULTS.livePreviewMs). */
  readonly livePreviewMs?: number;
  readonly now?: () => number;
  /** Reach a session: leave the interface and attach, or switch the client (then a result line is returned). */
  onAttach(session: string): string | void;
  onQuit(): void;
  /** Put text on the terminal's clipboard (OSC 52); absent where there is no terminal. */
  onCopy?(text: string): void;
}

/** The running interface, for a renderer. */
export interface Controller {
  getState(): TuiState;
  /** Called after every change; returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
  /** One key press. */
  press(key: KeyPress): void;
  /** Start refreshing (idempotent). */
  start(): void;
  stop(): void;
  /** When the last refresh finished. */
  readonly refreshedAt: number | null;
  readonly now: () => number;
  readonly services: TuiServices;
}

/** A controller over `opts.services`. */
export function createController(opts: ControllerOptions): Controller {
  const services = opts.services;
  const now = opts.now ?? Date.now;
  let state: TuiState = initialState(opts.initial, opts.initialSelected ?? null);
  if (opts.initialStatus) state = { ...state, status: { text: opts.initialStatus, tone: 'error' } };
  const listeners = new Set<() => void>();

  const dispatch = (a: Action) => {
    const before = state;
    state = reducer(state, a);
    if (state === before) return;
    follow(before);
    for (const l of listeners) l();
  };
  const status = (text: string) => dispatch({ type: 'status', text, tone: 'error' });
  const loop = createRefreshLoop(services, opts.refreshMs ?? TUI_DEFAULTS.refreshMs, (snapshot) => dispatch({ type: 'snapshot', snapshot }), status);

  // The one question or prompt that may be waiting, and who waits for its answer.
  let pending: ((a: Answer) => void) | null = null;
  let pendingText: ((text: string | null) => void) | null = null;
  let seq = 0;
  const ask = (d: Omit<Dialog, 'id'>) =>
    new Promise<Answer>((resolve) => {
      pending?.('no');
      pending = resolve;
      dispatch({ type: 'dialog', dialog: { ...d, id: ++seq } });
    });
  const answer = (a: Answer) => {
    const resolve = pending;
    pending = null;
    dispatch({ type: 'dialog', dialog: null });
    resolve?.(a);
  };
  const askText = (p: Prompt) =>
    new Promise<string | null>((resolve) => {
      pendingText?.(null);
      pendingText = resolve;
      dispatch({ type: 'prompt', prompt: p });
    });
  const submit = (text: string | null) => {
    const resolve = pendingText;
    pendingText = null;
    dispatch({ type: 'prompt', prompt: null });
    resolve?.(text);
  };

  // The open form: its work on Enter (an error keeps it open, said under its field), and who waits for the end.
  let formWork: ((values: FormValues) => Promise<{ field: string | null; message: string } | null>) | null = null;
  let formDone: ((submitted: boolean) => void) | null = null;
  const askForm = (form: Omit<Form, 'focus' | 'error' | 'busy'>, work: NonNullable<typeof formWork>) =>
    new Promise<boolean>((resolve) => {
      formDone?.(false);
      formDone = resolve;
      formWork = work;
      dispatch({ type: 'form', form: { ...form, focus: 0, error: null, busy: null } });
    });
  const endForm = (submitted: boolean) => {
    const resolve = formDone;
    formDone = null;
    formWork = null;
    dispatch({ type: 'form', form: null });
    resolve?.(submitted);
  };
  const submitForm = () => {
    const form = state.form;
    const work = formWork;
    if (!form || !work || form.busy) return;
    dispatch({ type: 'form-busy', what: form.working });
    work(formValues(form)).then(
      (error) => {
        if (state.form !== null && formWork === work) {
          if (error) dispatch({ type: 'form-error', field: error.field, text: error.message });
          else endForm(true);
        }
      },
      (e: unknown) => dispatch({ type: 'form-error', field: null, text: errorMessage(e) }),
    );
  };

  /** Keep derived data (the timeline, an open diff) in step with what it is about. */
  let timelineWanted = '';
  let diffFor: Snapshot | null = null;
  let previewWanted = '';
  let previewTimer: NodeJS.Timeout | null = null;
  let previewReading = false;
  let stopped = false;
  const livePreviewMs = opts.livePreviewMs ?? TUI_DEFAULTS.livePreviewMs;
  const readPreview = () => {
    previewTimer = null;
    const wanted = previewOf(state);
    if (!wanted || previewReading || state.panel !== 'detail' || stopped) return;
    const key = state.selected!;
    previewWanted = key;
    previewReading = true;
    const settle = (preview: Omit<ScreenPreview, 'key'>) => {
      previewReading = false;
      if (stopped) return;
      if (previewWanted === key && state.selected === key) {
        const shown = state.screenPreview;
        // The services hand back the same lines for an unchanged screen: nothing to repaint.
        const same = shown?.key === key && shown.lines === preview.lines && shown.error === preview.error && shown.pane === preview.pane;
        if (!same) dispatch({ type: 'screen-preview', preview: { key, ...preview } });
        // A running PTY session's screen is cheap to read (one socket, no tmux): read it again while it stays selected.
        if (!previewTimer && runningPty(state, key)) previewTimer = setTimeout(readPreview, livePreviewMs);
      }
      // The selection moved on while this was read: the new one's turn.
      else if (!previewTimer && previewOf(state)) previewTimer = setTimeout(readPreview, TUI_DEFAULTS.previewDelayMs);
    };
    wanted().then(
      (r) => settle(typeof r === 'string' ? { lines: null, error: r } : 'pane' in r ? { pane: r.pane, lines: r.lines, error: null } : { lines: r, error: null }),
      (e: unknown) => settle({ lines: null, error: errorMessage(e) }),
    );
  };
  /** Is `key` a PTY session that runs (its screen can still change)? */
  const runningPty = (s: TuiState, key: string): boolean => {
    const name = ptyNameOf(key);
    return name !== null && s.snapshot?.pty?.sessions.find((p) => p.name === name)?.kind === 'running';
  };
  /** How to read the selected session's screen, or null when it has none to show. */
  const previewOf = (s: TuiState): (() => Promise<readonly Line[] | { pane: string; lines: readonly Line[] } | string>) | null => {
    const pty = ptyNameOf(s.selected);
    if (pty !== null) {
      const listing = s.snapshot?.pty?.sessions.find((p) => p.name === pty);
      // Only a host holds a screen: a session listed from the checkpoint has none.
      return listing && (listing.kind === 'running' || listing.kind === 'exited') ? () => services.previewPty(pty) : null;
    }
    const v = s.snapshot?.report.sessions.find((x) => x.session === s.selected);
    // A frozen server would only time out.
    if (!v?.liveSession || s.snapshot?.report.server.state === 'frozen' || v.health === 'frozen') return null;
    const name = v.session;
    return () => services.previewTmux(name);
  };
  function follow(before: TuiState): void {
    const s = state;
    if (s.panel === 'timeline' && s.selected && s.snapshot) {
      const entries = checkpointsOf(s.snapshot, s.selected);
      const key = `${s.selected}\n${entries.map((e) => e.id).join(' ')}`;
      if (s.timeline?.key !== key && timelineWanted !== key) {
        timelineWanted = key;
        const session = s.selected;
        services.timeline(session, entries).then(
          (r) => {
            if (timelineWanted === key) dispatch({ type: 'timeline', timeline: { session, key, entries: typeof r === 'string' ? null : r, error: typeof r === 'string' ? r : null } });
          },
          (e: unknown) => dispatch({ type: 'timeline', timeline: { session, key, entries: null, error: errorMessage(e) } }),
        );
      }
    }
    // The selected session's screen: read again with each refresh, so the preview is live; one read at a time.
    if (s.panel === 'detail' && previewOf(s) && (s.selected !== before.selected || s.snapshot !== before.snapshot || s.panel !== before.panel)) {
      if (s.selected !== before.selected || !previewTimer) {
        if (previewTimer) clearTimeout(previewTimer);
        previewTimer = setTimeout(readPreview, TUI_DEFAULTS.previewDelayMs);
      }
    }
    // An open diff describes the live session: a refresh that changed it compares again.
    if (s.panel === 'diff' && s.diff?.result && s.snapshot !== before.snapshot && s.snapshot && diffFor !== s.snapshot) {
      diffFor = s.snapshot;
      void actions.diff({ again: true });
    }
  }

  const actions = createActions({
    services,
    dispatch,
    getState: () => state,
    ask,
    askText,
    askForm,
    refreshNow: () => loop.refreshNow(),
    pauseRefresh: (on) => loop.pause(on),
    attach: (s) => {
      const said = opts.onAttach(s);
      if (typeof said === 'string') dispatch({ type: 'status', text: said, tone: 'info' });
    },
    copy: (text) => {
      opts.onCopy?.(text);
      return opts.onCopy !== undefined;
    },
    quit: () => opts.onQuit(),
    now,
  });

  const run = (command: MainCommand) => {
    try {
      const r = actions[command]();
      if (r instanceof Promise) r.catch((e: unknown) => status(`${command} failed: ${errorMessage(e)}`));
    } catch (e) {
      status(`${command} failed: ${errorMessage(e)}`);
    }
  };

  function press(k: KeyPress): void {
    const s = state;
    const scope: KeyScope = s.dialog ? 'dialog' : s.form ? 'form' : s.prompt ? 'prompt' : s.help ? 'help' : s.filtering ? 'filter' : 'main';
    const command = commandFor(scope, k.name);
    if (command === 'force-quit') return run('force-quit');
    // A hint answers one key; the next key clears it.
    dispatch({ type: 'key' });
    switch (scope) {
      case 'dialog':
        if (command === 'yes') answer('yes');
        else if (command === 'skip' && s.dialog?.answers.skip) answer('skip');
        else if (command === 'no') answer('no');
        return;
      case 'prompt':
        if (command === 'prompt-submit') submit(s.prompt?.text ?? '');
        else if (command === 'prompt-cancel') submit(null);
        else if (command === 'prompt-erase') dispatch({ type: 'prompt-erase' });
        else if (k.text) dispatch({ type: 'prompt-type', text: k.text });
        return;
      case 'form': {
        // Submitted: the work decides (an error reopens the fields); only Ctrl-C (global) still acts.
        if (!s.form || s.form.busy) return;
        const field = s.form.fields[s.form.focus];
        if (command === 'form-submit') submitForm();
        else if (command === 'form-cancel') endForm(false);
        else if (command === 'form-next') dispatch({ type: 'form-focus', by: 1 });
        else if (command === 'form-prev') dispatch({ type: 'form-focus', by: -1 });
        else if (command === 'form-choose' && field?.kind === 'choice') dispatch({ type: 'form-choose', by: k.name === 'left' ? -1 : 1 });
        else if (command === 'form-erase') dispatch({ type: 'form-erase', all: false });
        else if (command === 'form-clear') dispatch({ type: 'form-erase', all: true });
        // A space, like any letter, types into a text field.
        else if (k.text && field?.kind === 'text') dispatch({ type: 'form-type', text: k.text });
        return;
      }
      case 'help':
        if (command === 'close-help') dispatch({ type: 'help', on: false });
        else if (command === 'help-up') dispatch({ type: 'scroll', by: -1 });
        else if (command === 'help-down') dispatch({ type: 'scroll', by: 1 });
        return;
      case 'filter':
        if (command === 'filter-apply') dispatch({ type: 'filter-end', keep: true });
        else if (command === 'filter-clear') dispatch({ type: 'filter-end', keep: false });
        else if (command === 'filter-erase') dispatch({ type: 'filter-erase' });
        else if (k.text) dispatch({ type: 'filter-type', text: k.text });
        return;
      case 'main':
        if (s.focus === 'panel' && s.panel === 'journal' && (command === 'up' || command === 'down')) {
          dispatch({ type: 'journal-move', by: command === 'up' ? -1 : 1, count: journalCount(s.snapshot?.journal ?? null) });
          return;
        }
        if (command) run(command as MainCommand);
        else if (k.text && k.text !== ' ') dispatch({ type: 'status', text: `"${k.text}" does nothing here — ? shows every key`, tone: 'info', transient: true });
        return;
      default:
        return;
    }
  }

  let started = false;
  return {
    getState: () => state,
    subscribe(l) {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    press,
    start() {
      if (started) return;
      started = true;
      loop.start();
    },
    stop: () => {
      stopped = true;
      if (previewTimer) clearTimeout(previewTimer);
      previewTimer = null;
      loop.stop();
    },
    get refreshedAt() {
      return loop.refreshedAt;
    },
    now,
    services,
  };
}
