/**
 * What each main-screen command does: moves, panels, and the work (restore,
 * save, diff, unfreeze, delete, forget) with its questions and its result line.
 * No React here: the container hands in dispatch, the state, a way to ask,
 * and the services. Work never throws into the interface; every failure ends
 * as a status line.
 */
import type { RepairStep } from '../../sessions/repair/plan.js';
import type { Command } from './key-bindings.js';
import type { RestorePreview, TuiServices } from './model.js';
import { visibleNames, type Action, type Dialog, type Form, type FormValues, type Prompt, type TuiState } from './state.js';
import { newPtyFields, readNewPtyForm, type FieldError } from './new-pty-form.js';
import { localTime } from './view/panels.js';
import { checkpointsOf, ptyNameOf, ptyKey, sessionRows, type SessionRow } from './view/rows.js';
import type { PtyListing } from '../ops/pty-sessions.js';
import { age, count, visible } from '../../checkpoints/words.js';
import { errorMessage } from '../../checkpoints/result.js';

/** An answer to a question. */
export type Answer = 'yes' | 'skip' | 'no';

/** What the actions need from the container. */
export interface ActionDeps {
  readonly services: TuiServices;
  dispatch(a: Action): void;
  getState(): TuiState;
  ask(d: Omit<Dialog, 'id'>): Promise<Answer>;
  /** A line the person types; null when cancelled. */
  askText(p: Prompt): Promise<string | null>;
  /**
   * A form; `work` runs on Enter with its values and returns what is wrong
   * (the form stays open, the line under the field says it) or null (the
   * form closes). Resolves true once the work succeeded, false on Esc.
   */
  askForm(form: Omit<Form, 'focus' | 'error' | 'busy'>, work: (values: FormValues) => Promise<FieldError | null>): Promise<boolean>;
  refreshNow(): void;
  pauseRefresh(on: boolean): void;
  attach(session: string): void;
  /** Put text on the clipboard; false when there is no terminal to ask. */
  copy(text: string): boolean;
  quit(): void;
  now(): number;
}

/** Commands of the main scope. */
export type MainCommand = Extract<
  Command,
  'up' | 'down' | 'switch-pane' | 'attach' | 'restore' | 'restore-as' | 'restore-all' | 'save' | 'diff' | 'timeline' | 'journal' | 'copy-id' | 'unfreeze' | 'delete-checkpoint' | 'new-pty' | 'forget' | 'filter' | 'help' | 'quit' | 'force-quit'
>;


/** One restore of a batch: a checkpoint, the sessions from it, and where they go. */
interface Planned {
  readonly checkpointId: string;
  readonly sessions: readonly string[];
  readonly as?: string;
}

/** The actions. */
export function createActions(deps: ActionDeps): Record<Exclude<MainCommand, 'diff'>, () => void | Promise<void>> & { diff(o?: { again?: boolean }): Promise<void> } {
  const { services, dispatch } = deps;
  const status = (text: string, tone: 'info' | 'ok' | 'error' | 'busy' = 'info', about?: string) => dispatch({ type: 'status', text, tone, ...(about !== undefined ? { about } : {}) });

  const selectedRow = (): SessionRow | null => {
    const s = deps.getState();
    return sessionRows(s.snapshot, s.filter).find((r) => r.name === s.selected) ?? null;
  };
  /** The selected PTY session, when a PTY row is selected. */
  const selectedPty = (): PtyListing | null => {
    const s = deps.getState();
    const name = ptyNameOf(s.selected);
    return name === null ? null : (s.snapshot?.pty?.sessions.find((p) => p.name === name) ?? null);
  };
  /** Run a PTY action with a busy line, say its result, refresh. */
  const ptyWork = async (what: string, work: () => Promise<{ ok: boolean; message: string }>): Promise<void> => {
    dispatch({ type: 'busy', what });
    try {
      const r = await work();
      status(r.message, r.ok ? 'ok' : 'error');
    } finally {
      dispatch({ type: 'busy', what: null });
      deps.refreshNow();
    }
  };
  /** r and x on a PTY row: revive it, or kill it (asks). */
  const ptyRestore = async (p: PtyListing): Promise<void> => {
    if (p.kind === 'running' || p.kind === 'exited') return status(`${visible(p.name)} is ${p.kind === 'running' ? 'running' : 'exited'}: nothing to revive`, 'info', ptyKey(p.name));
    await ptyWork('reviving', () => services.revivePty());
  };
  const ptyKill = async (p: PtyListing): Promise<void> => {
    const a = await deps.ask({
      title: `Kill the PTY session ${visible(p.name)}?`,
      lines: [`Its program${p.pid !== null ? ` (pid ${p.pid})` : ''} is hung up and the session is forgotten; what it was doing is lost.`],
      answers: { yes: 'kill it', no: 'keep it' },
      tone: 'danger',
    });
    if (a !== 'yes') return status(`kept ${visible(p.name)}`);
    await ptyWork('killing', () => services.killPty(p.name));
  };

  /** The checkpoint to act on: the one chosen in the timeline, else the newest valid one. */
  const chosenCheckpoint = (row: SessionRow) => {
    const s = deps.getState();
    if (s.panel === 'timeline' && s.snapshot) return checkpointsOf(s.snapshot, row.name)[s.timelineIndex] ?? null;
    return row.newest;
  };
  const refuseWhileBusy = (): boolean => {
    const busy = deps.getState().busy;
    if (busy) status(`wait: ${busy} is still running`, 'busy');
    return busy !== null;
  };
  /** The session this interface runs in (a pane of this server), when it does. */
  const ownSession = (): string | null => {
    const pane = services.info.ownPane;
    if (!pane) return null;
    for (const v of deps.getState().snapshot?.report.sessions ?? []) {
      if (v.liveSession?.windows.some((w) => w.panes.some((p) => p.id === pane))) return v.session;
    }
    return null;
  };

  /**
   * Preview every restore of a batch, ask once (replacing, approving
   * unlisted commands and the restore itself are one question), then run
   * them with progress. Esc or n cancels the whole batch.
   */
  const restoreBatch = async (batch: readonly Planned[]): Promise<void> => {
    dispatch({ type: 'busy', what: 'preparing the restore' });
    try {
      const previews: { plan: Planned; preview: RestorePreview }[] = [];
      for (const plan of batch) {
        const preview = await services.previewRestore({ checkpointId: plan.checkpointId, sessions: plan.sessions, replace: false, ...(plan.as !== undefined ? { as: plan.as } : {}) });
        if (!('checkpointId' in preview)) return status(preview.message, 'error');
        previews.push({ plan, preview });
      }
      // No "busy" while a question waits: the answer is the person's to give.
      dispatch({ type: 'busy', what: null });
      const own = ownSession();
      const replacingOwn = own !== null && previews.some((p) => p.preview.running.includes(own));
      const answer = await deps.ask(restoreQuestion(previews.map((p) => p.preview), deps.now(), replacingOwn ? own : null));
      if (answer === 'no') return status(batch.length > 1 ? 'restore cancelled: nothing was restored' : 'restore cancelled');
      if (replacingOwn) {
        // This interface dies with its session: the restore must not.
        const p = previews.find((x) => x.preview.running.includes(own))!;
        const r = await services.restoreDetached({ checkpointId: p.plan.checkpointId, sessions: p.plan.sessions, replace: true, ...(p.plan.as !== undefined ? { as: p.plan.as } : {}) });
        return status(r.message, r.ok ? 'ok' : 'error');
      }
      dispatch({ type: 'busy', what: 'restoring' });
      for (const { plan, preview } of previews) {
        dispatch({ type: 'progress-start', preview, sessions: plan.sessions, ...(plan.as !== undefined ? { as: plan.as } : {}) });
        const req = { checkpointId: plan.checkpointId, sessions: plan.sessions, replace: preview.running.length > 0, ...(plan.as !== undefined ? { as: plan.as } : {}) };
        const result = await services.restore(req, answer === 'yes', (p) => dispatch({ type: 'progress', event: p }));
        dispatch({ type: 'progress-end', ok: result.ok, message: result.message });
      }
    } catch (e) {
      status(`restore failed: ${errorMessage(e)}`, 'error');
    } finally {
      dispatch({ type: 'busy', what: null });
      deps.refreshNow();
    }
  };

  /** The row and checkpoint a restore of the selection starts from, or null (said on the status line). */
  const restorable = (): { row: SessionRow; id: string } | null => {
    const row = selectedRow();
    const cp = row ? chosenCheckpoint(row) : null;
    if (!row) status('no session selected');
    else if (!cp) status(`no valid checkpoint holds ${visible(row.name)}; s saves one while it runs`, 'error', row.name);
    else if (!cp.valid) status(`the checkpoint of ${localTime(cp.createdAt)} is invalid (${cp.error ?? 'unreadable'}); choose another in the timeline (t)`, 'error');
    else return { row, id: cp.id };
    return null;
  };

  const move = (by: number) => {
    const s = deps.getState();
    const timelineLength = s.snapshot && s.selected ? checkpointsOf(s.snapshot, s.selected).length : 0;
    dispatch({ type: 'move', by, names: visibleNames(s), timelineLength });
  };

  const actions: ReturnType<typeof createActions> = {
    up: () => move(-1),
    down: () => move(1),
    'switch-pane': () => dispatch({ type: 'focus' }),
    filter: () => dispatch({ type: 'filter-start' }),
    help: () => dispatch({ type: 'help', on: true }),
    quit: () => {
      if (deps.getState().busy === 'restoring') return status('a restore is running: q after it ends (Ctrl-C quits anyway)', 'busy');
      deps.quit();
    },
    'force-quit': () => deps.quit(),
    timeline: () => dispatch({ type: 'panel', panel: deps.getState().panel === 'timeline' ? 'detail' : 'timeline' }),
    journal: () => dispatch({ type: 'panel', panel: deps.getState().panel === 'journal' ? 'detail' : 'journal' }),

    attach: () => {
      const s = deps.getState();
      if (s.panel === 'timeline' && s.focus === 'panel') return void actions.restore();
      const pty = selectedPty();
      if (pty) {
        if (pty.kind !== 'running') return status(`${visible(pty.name)} is ${pty.kind === 'exited' ? 'exited' : pty.kind}: ${pty.kind === 'exited' ? 'x removes it' : 'r revives it'}`, 'error', ptyKey(pty.name));
        return deps.attach(ptyKey(pty.name));
      }
      const row = selectedRow();
      if (!row) return status('no session selected');
      if (s.snapshot?.report.server.state === 'frozen') return status('the tmux server is frozen: u unfreezes it first', 'error');
      if (!row.verdict.liveSession) return status(`${visible(row.name)} is not running: r restores it`, 'error', row.name);
      deps.attach(row.name);
    },

    restore: async () => {
      if (refuseWhileBusy()) return;
      const pty = selectedPty();
      if (pty) return ptyRestore(pty);
      const r = restorable();
      if (r) await restoreBatch([{ checkpointId: r.id, sessions: [r.row.name] }]);
    },

    'restore-as': async () => {
      if (refuseWhileBusy()) return;
      const r = restorable();
      if (!r) return;
      const taken = new Set((deps.getState().snapshot?.report.sessions ?? []).map((v) => v.session));
      let suggestion = `${r.row.name}-copy`;
      for (let i = 2; taken.has(suggestion); i++) suggestion = `${r.row.name}-copy${i}`;
      const name = await deps.askText({ title: `Restore a copy of ${visible(r.row.name)} as:`, text: suggestion, hint: 'Enter restores the copy · Esc cancels' });
      if (name === null) return status('restore cancelled');
      const as = name.trim();
      if (!as) return status('restore cancelled: a copy needs a name', 'error');
      if (taken.has(as)) return status(`${visible(as)} already exists: choose another name (a)`, 'error');
      await restoreBatch([{ checkpointId: r.id, sessions: [r.row.name], as }]);
    },

    'restore-all': async () => {
      if (refuseWhileBusy()) return;
      const s = deps.getState();
      const crashed = sessionRows(s.snapshot, '').filter((r) => r.badge === 'crashed' && r.newest);
      if (crashed.length === 0) return status('no crashed session to restore');
      // Sessions saved together are restored together, from their newest checkpoint; one question for all.
      const groups = new Map<string, string[]>();
      for (const r of crashed) groups.set(r.newest!.id, [...(groups.get(r.newest!.id) ?? []), r.name]);
      await restoreBatch([...groups].map(([checkpointId, sessions]) => ({ checkpointId, sessions })));
    },

    save: async () => {
      if (refuseWhileBusy()) return;
      dispatch({ type: 'busy', what: 'saving' });
      try {
        const r = await services.save();
        status(r.message, r.ok ? 'ok' : 'error');
      } finally {
        dispatch({ type: 'busy', what: null });
        deps.refreshNow();
      }
    },

    async diff(o: { again?: boolean } = {}) {
      const s = deps.getState();
      if (s.panel === 'diff' && !o.again) return dispatch({ type: 'panel', panel: 'detail' });
      const row = o.again && s.diff ? (sessionRows(s.snapshot, '').find((r) => r.name === s.diff!.session) ?? null) : selectedRow();
      if (!row) return status('no session selected');
      const cp = chosenCheckpoint(row);
      if (!cp) return dispatch({ type: 'diff', session: row.name, result: { kind: 'not-saved' } });
      // Compared again after a refresh: the old result stays until the new one is in.
      if (!o.again) dispatch({ type: 'diff', session: row.name, result: null });
      const result = await services.diff(row.name, cp.id);
      if (deps.getState().diff?.session === row.name && deps.getState().panel === 'diff') dispatch({ type: 'diff', session: row.name, result });
    },

    'copy-id': () => {
      const row = selectedRow();
      if (!row) return status('no session selected');
      const s = deps.getState();
      const cp = s.panel === 'timeline' && s.snapshot ? checkpointsOf(s.snapshot, row.name)[s.timelineIndex] : row.newest;
      if (!cp) return status(`no checkpoint holds ${visible(row.name)}`, 'error', row.name);
      const copied = deps.copy(cp.id);
      status(`${copied ? 'copied' : 'checkpoint id'}: ${cp.id} (${localTime(cp.createdAt)})`, 'ok');
    },

    unfreeze: async () => {
      if (refuseWhileBusy()) return;
      const row = selectedRow();
      if (!row) return status('no session selected');
      if (row.verdict.health !== 'frozen') return status(`${visible(row.name)} is not frozen (${row.badge}); nothing to unfreeze`, 'info', row.name);
      const plan = services.planUnfreeze(row.verdict);
      dispatch({ type: 'repair-start', session: row.name, plan });
      dispatch({ type: 'busy', what: 'unfreezing' });
      // The repair probes on its own; the refresh loop waits so the two do not interleave.
      deps.pauseRefresh(true);
      try {
        const confirm = async (step: RepairStep) =>
          (await deps.ask({ title: step.title, lines: [`Why: ${step.why}.`, 'This can lose work in that pane or server.'], answers: { yes: 'do it', no: 'stop here' }, tone: 'danger' })) === 'yes';
        const outcome = await services.unfreeze(plan, confirm, (event) => dispatch({ type: 'repair-event', event }));
        dispatch({ type: 'repair-end', healed: outcome.healed, summary: outcome.summary });
      } catch (e) {
        dispatch({ type: 'repair-end', healed: false, summary: `unfreeze failed: ${errorMessage(e)}` });
      } finally {
        deps.pauseRefresh(false);
        dispatch({ type: 'busy', what: null });
        deps.refreshNow();
      }
    },

    'delete-checkpoint': async () => {
      if (refuseWhileBusy()) return;
      const pty = selectedPty();
      if (pty) return ptyKill(pty);
      const s = deps.getState();
      const row = selectedRow();
      if (!row) return status('no session selected');
      if (s.panel !== 'timeline') {
        dispatch({ type: 'panel', panel: 'timeline' });
        return status('choose the checkpoint to delete, then x');
      }
      const cp = s.snapshot ? checkpointsOf(s.snapshot, row.name)[s.timelineIndex] : undefined;
      if (!cp) return status('no checkpoint chosen');
      const a = await deps.ask({
        title: `Delete the checkpoint of ${localTime(cp.createdAt)} (${age(deps.now() - Date.parse(cp.createdAt))} ago)?`,
        lines: [`Holds ${cp.sessions.map(visible).join(', ') || 'no sessions'}; ${count(cp.panes, 'pane')}. Id ${cp.id}.`, 'It cannot be restored from afterwards.'],
        answers: { yes: 'delete it', no: 'keep it' },
        tone: 'danger',
      });
      if (a !== 'yes') return status('kept the checkpoint');
      const r = await services.removeCheckpoint(cp.id);
      status(r.ok ? `deleted the checkpoint of ${localTime(cp.createdAt)}` : r.message, r.ok ? 'ok' : 'error');
      deps.refreshNow();
    },

    'new-pty': async () => {
      if (refuseWhileBusy()) return;
      const taken = new Set((deps.getState().snapshot?.pty?.sessions ?? []).map((p) => p.name));
      const done: { made?: { name: string; detached: boolean; message: string } } = {};
      const submitted = await deps.askForm({ title: 'New PTY session (tsession new)', fields: newPtyFields(), working: 'creating the session' }, async (values) => {
        const read = readNewPtyForm(values, taken);
        if (!read.ok) return read.error;
        const r = await services.newPty(read.request);
        if (!r.ok) return { field: 'field' in r ? r.field : null, message: r.message };
        done.made = { name: read.request.name, detached: read.detached, message: r.message };
        return null;
      });
      if (!submitted || !done.made) return status('nothing created');
      const { name, detached, message } = done.made;
      status(message, 'ok');
      dispatch({ type: 'select', name: ptyKey(name) });
      deps.refreshNow();
      // As `tsession new` does: attach, unless the person chose to stay.
      if (!detached) deps.attach(ptyKey(name));
    },

    forget: async () => {
      if (refuseWhileBusy()) return;
      const row = selectedRow();
      if (!row) return status('no session selected');
      if (row.verdict.live) return status(`${visible(row.name)} is running: only a session that is not running can be forgotten`, 'error', row.name);
      const a = await deps.ask({
        title: `Forget ${row.name}?`,
        lines: [
          `It leaves this list (${row.badge}); checkpoints holding only ${row.name} are deleted, those other sessions need are kept.`,
          'It cannot be restored from the deleted checkpoints afterwards.',
        ],
        answers: { yes: 'forget it', no: 'keep it' },
        tone: 'danger',
      });
      if (a !== 'yes') return status(`kept ${row.name}`);
      const r = await services.forgetSession(row.name);
      status(r.message, r.ok ? 'ok' : 'error');
      deps.refreshNow();
    },
  };
  return actions;
}

/**
 * The one question of a restore batch: what comes back from which
 * checkpoint, which running sessions it replaces, and which saved commands
 * need approval. Replacing the session this interface runs in is said
 * plainly: the interface ends with it, and the restore goes on without it.
 */
export function restoreQuestion(previews: readonly RestorePreview[], now: number, ownSession: string | null = null): Omit<Dialog, 'id'> {
  const lines: string[] = [];
  const names: string[] = [];
  const running: string[] = [];
  const unlisted: RestorePreview['unlisted'][number][] = [];
  for (const p of previews) {
    lines.push(`From the checkpoint of ${localTime(p.createdAt)} (${age(now - Date.parse(p.createdAt))} ago):`);
    for (const s of p.sessions) {
      const target = p.as !== undefined ? `${visible(s.name)} as ${visible(p.as)}` : visible(s.name);
      names.push(target);
      lines.push(`  ${target}: ${count(s.windows.length, 'window')}, ${count(s.panes, 'pane')}${p.running.includes(s.name) ? ' — replaces the running session' : ''}`);
    }
    running.push(...p.running);
    unlisted.push(...p.unlisted);
  }
  if (running.length) lines.push(`${running.map(visible).join(', ')} ${running.length === 1 ? 'is' : 'are'} killed and rebuilt; unsaved state there is lost.`);
  if (ownSession !== null) {
    lines.push(`This interface runs in ${visible(ownSession)}: it closes with it. The restore runs on its own and is journaled (tsession log).`);
  }
  const title = `${running.length ? 'Replace' : 'Restore'} ${names.join(', ')}?`;
  const tone = running.length ? ('danger' as const) : ('warning' as const);
  const yes = running.length ? 'replace' : 'restore';
  // A detached restore cannot be asked about commands: it only types them.
  if (unlisted.length === 0 || ownSession !== null) {
    if (unlisted.length) lines.push(`${count(unlisted.length, 'saved command')} not on the allowlist will be typed, not run.`);
    return { title, lines, answers: { yes, no: previews.length > 1 ? 'cancel all' : 'cancel' }, tone };
  }
  lines.push('These saved commands are not on the allowlist. Approve to re-run them, or skip to only type them:');
  for (const u of unlisted) lines.push(`  ${u.where}  ${u.command}`);
  return {
    title: `${title} ${count(unlisted.length, 'command')} need approval`,
    lines,
    answers: { yes: `${yes} and run them`, skip: `${yes}, only type them`, no: previews.length > 1 ? 'cancel all' : 'cancel' },
    tone,
  };
}
