/**
 * Runs the interface on a terminal: takes the terminal (alternate screen,
 * raw input), starts the controller on the quick look, reads keys and
 * paints frames itself (terminal-io.ts), hands the terminal to tmux for an
 * attach and takes it back, and restores the terminal on every way out
 * (quit, Ctrl-C, an exception, SIGTERM, SIGHUP).
 *
 * Why not Ink by default: importing Ink + React costs 350–600 ms here
 * (about 530 ES modules, 415 of them es-toolkit's) and ~50–60 MB of
 * memory (measured in `npm run bench tui`, see the README), only to write
 * lines the view functions already build. `TSESSION_TUI_RENDERER=ink` renders with Ink
 * once it has loaded (App.tsx over the same controller).
 */
import type { Context } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { attachMode, attachSession } from './attach.js';
import { createController } from './controller.js';
import { paintScreen, readKeys } from './terminal-io.js';
import { cliPath, createServices } from './services.js';
import { ptyNameOf } from './view/rows.js';
import { errorMessage } from '../../checkpoints/result.js';
import { clearOnResize, createTerminalGuard, TERMINAL_CODES } from './terminal.js';
import { colorEnabled } from './theme.js';

/**
 * Tunables read from the environment (tests and the benchmark shorten
 * them): refresh interval, probe timeout, not-reading threshold, in ms.
 */
export const TUI_ENV = {
  refreshMs: 'TSESSION_TUI_REFRESH_MS',
  probeTimeoutMs: 'TSESSION_PROBE_TIMEOUT_MS',
  notReadingMs: 'TSESSION_NOT_READING_MS',
  /** `ink`: render with Ink once it has loaded (the own painter draws until then); default: the own painter throughout. */
  renderer: 'TSESSION_TUI_RENDERER',
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

/** OSC 52: put `text` on the terminal's clipboard (terminals and tmux with set-clipboard on honour it). */
export const osc52 = (text: string): string => `\x1b]52;c;${Buffer.from(text).toString('base64')}\x07`;

/** Attach the terminal to a PTY session until detach; a line for the status when it did not end in a detach. */
async function attachPty(ctx: Context, name: string, stdin: NodeJS.ReadStream, stdout: NodeJS.WriteStream): Promise<string | null> {
  const [{ attachPtySession, parseDetachKey }, { ptyAccessOf }] = await Promise.all([import('../ops/pty-attach.js'), import('../ops/pty-client.js')]);
  try {
    // The detach key of the config, as `tsession attach` uses it; a config that does not read leaves Ctrl-\.
    const configured = await ctx.config().then((c) => parseDetachKey(c.pty.detachKey), () => null);
    const options = { readOnly: false, ...(configured !== null ? { detachKey: configured } : {}) };
    const end = await attachPtySession(ptyAccessOf(ctx, [process.execPath, cliPath()]), name, { input: stdin, output: stdout }, options);
    if (end.kind === 'detached') return null;
    if (end.kind === 'exited') return `${name} exited (${end.signal !== null ? `signal ${end.signal}` : `code ${end.exitCode}`})`;
    return `could not attach to ${name}: ${end.kind === 'refused' ? end.error.message : end.message}`;
  } catch (e) {
    return `could not attach to ${name}: ${errorMessage(e)}`;
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
  // With TSESSION_TUI_RENDERER=ink, Ink loads after the first paint: its
  // ~530 modules would otherwise compete with the quick look for this thread.
  let loading: ReturnType<typeof loadInk> | null = null;

  let selected: string | null = null;
  let status: string | null = null;
  try {
    for (;;) {
      const snapshot = await services.quick().catch(() => null);
      const next = await new Promise<{ attach: string } | 'quit'>((resolve) => {
        let done = false;
        let instance: { unmount(): void } | null = null;
        let direct: { stop(): void } | null = null;
        let keys: { stop(): void } | null = null;
        const finish = (v: { attach: string } | 'quit') => {
          if (done) return;
          done = true;
          direct?.stop();
          keys?.stop();
          controller.stop();
          instance?.unmount();
          resolve(v);
        };
        const controller = createController({
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
          onCopy: (text) => {
            stdout.write(osc52(text));
            void services.copyToTmux?.(text);
          },
        });
        // Keys are answered from the first frame on, before Ink is there.
        keys = readKeys(controller, stdin);
        direct = paintScreen(controller, stdout, color);
        controller.start();
        if (ctx.env[TUI_ENV.renderer] !== 'ink') return;
        loading ??= loadInk();
        loading.then(({ createElement, ink, App, ThemeContext }) => {
          if (done) return;
          direct?.stop();
          direct = null;
          // Ink starts drawing where the cursor is: at the top, over the painted frame.
          stdout.write(TERMINAL_CODES.home);
          // Keys keep coming through readKeys: Ink does not read the terminal.
          const app = createElement(App, { controller, ownInput: true, services, initial: snapshot, onAttach: () => undefined, onQuit: () => undefined });
          instance = ink.render(createElement(ThemeContext.Provider, { value: { color } }, app), {
            stdin,
            stdout,
            exitOnCtrlC: false,
            patchConsole: false,
            // A key's frame waits at most one frame interval behind a refresh's.
            maxFps: 120,
            // Not incremental: Ink 6.8 draws incremental frames one row low when they end in a newline.
            incrementalRendering: false,
          });
        }, onCrash);
      });
      if (next === 'quit') break;
      selected = next.attach;
      // tmux (or the PTY session) gets the plain terminal, then gives it back.
      terminal.leave();
      const pty = ptyNameOf(next.attach);
      if (pty !== null) {
        // On the main screen, so the terminal's own scrollback holds the session's history while attached.
        status = await attachPty(ctx, pty, stdin, stdout);
        // Cleared after, so quitting the interface later does not leave the session's last screen under the prompt.
        stdout.write(TERMINAL_CODES.home + TERMINAL_CODES.clearScreen);
      }
      else {
        const r = attachSession(ctx.server, next.attach, ctx.env);
        status = r.error ? `could not attach to ${next.attach}: ${r.error}` : null;
      }
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
