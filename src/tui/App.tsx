/**
 * The container: owns the state (reducer), the refresh loop, the terminal
 * size and the one pending question, turns keys into commands through the
 * key-binding table, and renders the screen the view builders produce.
 * Everything it shows is computed from state; everything it does goes
 * through TuiServices.
 */
import { useInput, type Key } from 'ink';
import { useCallback, useMemo, useReducer, useRef } from 'react';
import { createActions, type Answer, type MainCommand } from './actions.js';
import { commandFor, keyName, type KeyScope } from './key-bindings.js';
import type { Snapshot, TuiServices } from './model.js';
import { initialState, reducer, type Action, type Dialog } from './state.js';
import { ScreenView } from './components/ScreenView.js';
import { useRefresh } from './use-refresh.js';
import { useTerminalSize } from './use-terminal-size.js';
import { buildScreen, type ScreenSize } from './view/screen.js';
import { errorMessage } from '../../checkpoints/result.js';

/** Named defaults of the interface. */
export const TUI_DEFAULTS = {
  /** Live state is refreshed this often. */
  refreshMs: 2_000,
} as const;

/** What the entry point gives the container. */
export interface AppProps {
  readonly services: TuiServices;
  /** The quick first look, so the first Ink frame equals the first painted frame. */
  readonly initial: Snapshot | null;
  readonly initialSelected?: string | null;
  /** An error to show at once (a failed attach). */
  readonly initialStatus?: string | null;
  /** Fixed size (tests); else the terminal's, following resizes. */
  readonly size?: ScreenSize;
  readonly refreshMs?: number;
  readonly now?: () => number;
  /** Reach a session: leave the interface and attach, or switch the client (then a result line is returned). */
  onAttach(session: string): string | void;
  onQuit(): void;
}

/** The interface. */
export function App(props: AppProps) {
  const [state, reactDispatch] = useReducer(reducer, undefined, () => {
    const s = initialState(props.initial, props.initialSelected ?? null);
    return props.initialStatus ? { ...s, status: { text: props.initialStatus, tone: 'error' as const } } : s;
  });
  const stateRef = useRef(state);
  stateRef.current = state;
  // The ref follows every change at once, so keys handled before the next
  // render (a burst of keys) see the state the previous key left.
  const dispatch = useCallback((a: Action) => {
    stateRef.current = reducer(stateRef.current, a);
    reactDispatch(a);
  }, []);
  const size = useTerminalSize(props.size);
  const now = props.now ?? Date.now;
  const status = useCallback((text: string) => dispatch({ type: 'status', text, tone: 'error' }), [dispatch]);
  const refresh = useRefresh(props.services, dispatch, props.refreshMs ?? TUI_DEFAULTS.refreshMs, status);

  // The one question that may be waiting, and who waits for its answer.
  const pending = useRef<((a: Answer) => void) | null>(null);
  const seq = useRef(0);
  const ask = useCallback(
    (d: Omit<Dialog, 'id'>) =>
      new Promise<Answer>((resolve) => {
        pending.current?.('no');
        pending.current = resolve;
        dispatch({ type: 'dialog', dialog: { ...d, id: ++seq.current } });
      }),
    [dispatch],
  );
  const answer = (a: Answer) => {
    const resolve = pending.current;
    pending.current = null;
    dispatch({ type: 'dialog', dialog: null });
    resolve?.(a);
  };

  const actions = useMemo(
    () =>
      createActions({
        services: props.services,
        dispatch,
        getState: () => stateRef.current,
        ask,
        refreshNow: () => refresh.refreshNow(),
        pauseRefresh: (on) => refresh.pause(on),
        attach: (s) => {
          const said = props.onAttach(s);
          if (typeof said === 'string') dispatch({ type: 'status', text: said, tone: 'info' });
        },
        quit: () => props.onQuit(),
        now,
      }),
    // Created once: every input is stable or read through a ref.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [],
  );

  const run = (command: MainCommand) => {
    try {
      const r = actions[command]();
      if (r instanceof Promise) r.catch((e: unknown) => status(`${command} failed: ${errorMessage(e)}`));
    } catch (e) {
      status(`${command} failed: ${errorMessage(e)}`);
    }
  };

  useInput((input, key) => {
    // Keys typed faster than a frame arrive as one chunk ("jj"): outside the
    // filter prompt each character is its own key press.
    const special = key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.return || key.escape || key.tab || key.backspace || key.delete || key.ctrl || key.meta;
    if (input.length > 1 && !special && !stateRef.current.filtering) {
      for (const ch of input) onKey(ch, key);
      return;
    }
    onKey(input, key);
  });

  function onKey(input: string, key: Key): void {
    const s = stateRef.current;
    const name = keyName(input, key);
    const scope: KeyScope = s.dialog ? 'dialog' : s.help ? 'help' : s.filtering ? 'filter' : 'main';
    const command = commandFor(scope, name);
    if (command === 'force-quit') return run('force-quit');
    switch (scope) {
      case 'dialog':
        if (command === 'yes') answer('yes');
        else if (command === 'skip' && s.dialog?.answers.skip) answer('skip');
        else if (command === 'no') answer('no');
        return;
      case 'help':
        if (command === 'close-help') dispatch({ type: 'help', on: false });
        else if (command === 'help-up') dispatch({ type: 'scroll', by: -1 });
        else if (command === 'help-down') dispatch({ type: 'scroll', by: 1 });
        return;
      case 'filter':
        if (command === 'filter-apply') dispatch({ type: 'filter-end', keep: true });
        else if (command === 'filter-clear') dispatch({ type: 'filter-end', keep: false });
        else if (command === 'filter-erase') dispatch({ type: 'filter-erase' });
        else if (input && !key.ctrl && !key.meta && !key.tab && !key.return && !key.escape) dispatch({ type: 'filter-type', text: input });
        return;
      case 'main':
        if (command) run(command as MainCommand);
        else if (name && name.length === 1 && name !== ' ') dispatch({ type: 'status', text: `"${name}" does nothing here — ? shows every key`, tone: 'info' });
        return;
      default:
        return;
    }
  }

  return <ScreenView screen={buildScreen(state, props.services.info, size, now(), refresh.refreshedAt.current)} />;
}
