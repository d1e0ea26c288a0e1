/**
 * Runs the interface on a terminal: takes the terminal (alternate screen,
 * raw input), paints a first frame from the quick look while Ink and React
 * are still loading, mounts the Ink app, hands the terminal to tmux for an
 * attach and takes it back, and restores the terminal on every way out
 * (quit, Ctrl-C, an exception, SIGTERM, SIGHUP).
 *
 * Why a first frame without Ink: importing Ink + React costs 350–600 ms on
 * this machine (about 530 ES modules, 415 of them es-toolkit's), over the
 * 300 ms first-frame budget. The frame is built by the same view functions
 * the Ink components render, so the two look alike.
 */
import type { Context } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { attachMode, attachSession } from './attach.js';
import type { Snapshot } from './model.js';
import { createServices } from './services.js';
import { initialState } from './state.js';
import { clearOnResize, createTerminalGuard, TERMINAL_CODES } from './terminal.js';
import { colorEnabled } from './theme.js';
import { toAnsi } from './view/line.js';
import { buildScreen, screenLines } from './view/screen.js';

/**
 * Tunables read from the environment (tests and the benchmark shorten
 * them): refresh interval, probe timeout, not-reading threshold, in ms.
 */
export const TUI_ENV = {
  refreshMs: 'TSESSION_TUI_REFRESH_MS',
  probeTimeoutMs: 'TSESSION_PROBE_TIMEOUT_MS',
  notReadingMs: 'TSESSION_NOT_READING_MS',
} as const;

const envNumber = (env: NodeJS.ProcessEnv, name: string): number | undefined => {
  const v = Number(env[name]);
  return env[name] !== undefined && Number.isFinite(v) && v >= 0 ? v : undefined;
};

/**
 * Import Ink, React's renderer and the app with React's production build.
 * While importing, CI markers are hidden too: Ink decides once, at import,
 * that a CI run never redraws — but we only get here on a real terminal.
 * The environment is put back at once, so no child sees the change.
 */
async function loadInk() {
  const before = process.env.NODE_ENV;
  const ci = Object.entries(process.env).filter(([k]) => k === 'CI' || k === 'CONTINUOUS_INTEGRATION' || k.startsWith('CI_'));
  for (const [k] of ci) delete process.env[k];
  process.env.NODE_ENV ??= 'production';
  try {
    const [react, ink, app, lines] = await Promise.all([import('react'), import('ink'), import('./App.js'), import('./components/Lines.js')]);
    return { createElement: react.createElement, ink, App: app.App, ThemeContext: lines.ThemeContext };
  } finally {
    if (before === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = before;
    for (const [k, v] of ci) process.env[k] = v;
  }
}

/** Run the interface until the person quits; returns the exit code. */
export async function runTui(ctx: Context): Promise<number> {
  const stdin = process.stdin;
  const stdout = process.stdout;
  const color = colorEnabled(ctx.env);
  const terminal = createTerminalGuard(stdin, stdout);
  const refreshMs = envNumber(ctx.env, TUI_ENV.refreshMs);
  const probeTimeoutMs = envNumber(ctx.env, TUI_ENV.probeTimeoutMs);
  const notReadingAfterMs = envNumber(ctx.env, TUI_ENV.notReadingMs);
  const services = createServices(ctx, {
    ...(probeTimeoutMs !== undefined ? { probeTimeoutMs } : {}),
    ...(notReadingAfterMs !== undefined ? { notReadingAfterMs } : {}),
  });

  // Every way out puts the terminal back first.
  const fatal = (code: number, why?: string) => {
    terminal.leave();
    if (why) process.stderr.write(`tsession: ${why}\n`);
    process.exit(code);
  };
  const onSignal = (signal: NodeJS.Signals) => fatal(128 + (signal === 'SIGHUP' ? 1 : signal === 'SIGINT' ? 2 : 15));
  const onCrash = (e: unknown) => fatal(70, `internal error in the interface: ${(e as Error)?.message ?? String(e)} (the terminal was restored)`);
  const onExit = () => terminal.leave();
  for (const s of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.on(s, onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  process.on('exit', onExit);

  terminal.enter();
  const stopClearing = clearOnResize(stdout);
  // Ink loads after the first paint: its ~530 modules would otherwise
  // compete with the quick look for this one thread.
  let loading: ReturnType<typeof loadInk> | null = null;
  let painted = false;
  const paint = (snapshot: Snapshot | null, selected: string | null) => {
    const size = { columns: stdout.columns || 80, rows: stdout.rows || 24 };
    const lines = screenLines(buildScreen(initialState(snapshot, selected), services.info, size, Date.now()));
    stdout.write(TERMINAL_CODES.home + lines.map((l) => toAnsi(l, color)).join('\r\n') + TERMINAL_CODES.clearBelow);
    painted = true;
  };

  let selected: string | null = null;
  let status: string | null = null;
  try {
    for (;;) {
      const snapshot = await services.quick().catch(() => null);
      paint(snapshot, selected);
      loading ??= loadInk();
      const { createElement, ink, App, ThemeContext } = await loading;
      // Ink starts drawing where the cursor is: at the top, over the painted frame.
      if (painted) stdout.write(TERMINAL_CODES.home);
      const next = await new Promise<{ attach: string } | 'quit'>((resolve) => {
        let done = false;
        const finish = (v: { attach: string } | 'quit') => {
          if (done) return;
          done = true;
          instance.unmount();
          resolve(v);
        };
        const app = createElement(App, {
          services,
          initial: snapshot,
          initialSelected: selected,
          initialStatus: status,
          ...(refreshMs !== undefined ? { refreshMs } : {}),
          onAttach: (s: string) => {
            // Inside a client of this server the client just switches; the interface stays.
            if (attachMode(ctx.server, ctx.env) === 'switch-client') {
              const r = attachSession(ctx.server, s, ctx.env);
              return r.error ? `could not switch to ${s}: ${r.error}` : `switched this client to ${s}`;
            }
            finish({ attach: s });
            return undefined;
          },
          onQuit: () => finish('quit'),
        });
        const instance = ink.render(createElement(ThemeContext.Provider, { value: { color } }, app), {
          stdin,
          stdout,
          exitOnCtrlC: false,
          patchConsole: false,
          // A key's frame waits at most one frame interval behind a refresh's.
          maxFps: 120,
          // Not incremental: Ink 6.8 draws incremental frames one row low when they end in a newline.
          incrementalRendering: false,
        });
      });
      if (next === 'quit') break;
      selected = next.attach;
      // tmux gets the plain terminal, then gives it back.
      terminal.leave();
      const r = attachSession(ctx.server, next.attach, ctx.env);
      status = r.error ? `could not attach to ${next.attach}: ${r.error}` : null;
      terminal.enter();
    }
  } finally {
    stopClearing();
    services.close?.();
    terminal.leave();
    for (const s of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.off(s, onSignal);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    process.off('exit', onExit);
    // A probe orphaned by a stopped server may hold a pipe open: do not let
    // it keep the process alive after the person quit.
    setTimeout(() => process.exit(), 200).unref();
  }
  return EXIT.ok;
}
