/**
 * End-to-end driver: `tsession` running in a real terminal — a pane of a
 * second isolated tmux server — typed at with send-keys and read with
 * capture-pane, exactly as a person would use it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TestServer } from '../../helpers/tmux-server.js';
import { waitFor } from '../../helpers/tmux-server.js';

/** The built CLI (tests run after `npm run build`). */
export const CLI = join(process.cwd(), 'dist', 'tsession.cjs');

/** Fail early with the fix when the build is missing. */
export function requireBuild(): void {
  if (!existsSync(CLI)) throw new Error(`Expected the built CLI at ${CLI}; run npm run build first`);
}

/** Quote for the pane's bash. */
export const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A shell pane on `host` in which tsession runs. */
export function tuiPane(host: TestServer, pane = 'tui', size = { columns: 110, rows: 32 }) {
  host.tmux('new-session', '-d', '-s', pane, '-x', String(size.columns), '-y', String(size.rows));
  const capture = (escapes = false) => host.tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', pane);
  const screen = () => capture();
  /** Wait until the screen matches; the error shows the last screen. */
  const waitScreen = async (want: RegExp, timeoutMs = 15_000): Promise<string> => {
    try {
      return await waitFor(() => (want.test(screen()) ? screen() : null), timeoutMs, `the screen to match ${String(want)}`);
    } catch (e) {
      throw new Error(`${(e as Error).message.split(', last value')[0]}; screen:\n${screen()}`, { cause: e });
    }
  };
  /** Send keys (tmux key names like Enter, Escape, or literal characters). */
  const press = (...keys: string[]) => {
    for (const k of keys) host.tmux('send-keys', '-t', pane, k);
  };
  /** Type a command line into the shell and run it. */
  const type = (line: string) => {
    host.tmux('send-keys', '-t', pane, '-l', line);
    host.tmux('send-keys', '-t', pane, 'Enter');
  };
  const shellReady = () => waitFor(() => host.tmux('display', '-p', '-t', pane, '#{cursor_x}').trim() !== '0', 10_000, 'the shell prompt');
  /** Start tsession against server `target` with `env` (CI markers removed: a person's terminal). */
  const start = async (target: TestServer, env: Record<string, string>, args: string[] = []) => {
    await shellReady();
    const vars = Object.entries(env).map(([k, v]) => `${k}=${sh(v)}`).join(' ');
    type(`env -u CI ${vars} node ${sh(CLI)} -L ${target.name} ${args.map(sh).join(' ')}; echo "TSESSION-EXIT=$?"`);
    return waitScreen(/tsession · tmux -L/);
  };
  /** Move the selection to `name` with j/k. */
  const select = async (name: string) => {
    const at = () => screen().split('\n').findIndex((l) => new RegExp(`^▶ ${name}\\s`).test(l));
    for (let i = 0; i < 20 && at() < 0; i++) {
      const lines = screen().split('\n');
      const me = lines.findIndex((l) => l.startsWith('▶ '));
      const target = lines.findIndex((l) => new RegExp(`^  ${name}\\s`).test(l));
      if (me < 0 || target < 0) throw new Error(`Expected ${name} in the list; screen:\n${screen()}`);
      press(target > me ? 'j' : 'k');
      await waitFor(() => screen().split('\n').findIndex((l) => l.startsWith('▶ ')) !== me, 5_000, 'the selection to move');
    }
    await waitScreen(new RegExp(`▶ ${name}\\s`));
  };
  /** The list row of `name`. */
  const rowOf = (name: string) => screen().split('\n').find((l) => new RegExp(`^[ ▶] ${name}\\s`).test(l)) ?? '';
  /** Pane facts: is the cursor visible, is the alternate screen on. */
  const terminalState = () => {
    const [cursor, alt] = host.tmux('display', '-p', '-t', pane, '#{cursor_flag} #{alternate_on}').trim().split(' ');
    return { cursorVisible: cursor === '1', alternateScreen: alt === '1' };
  };
  return { capture, screen, waitScreen, press, type, start, select, rowOf, terminalState, shellReady };
}
