/**
 * Isolated tmux servers for tests: every server is `tmux -L tsession-<pid>-<n>
 * -f /dev/null` and is killed in teardown, so a test can never touch the user's
 * default server, $TMUX or their config.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let counter = 0;

export interface TestServer {
  /** The -L socket name. */
  readonly name: string;
  /** Argv prefix selecting this server: ['-L', name, '-f', '/dev/null']. */
  readonly tmuxArgs: readonly string[];
  /** Run a tmux command on this server; returns stdout. Throws on non-zero exit. */
  tmux(...args: string[]): string;
  /** Like tmux() but returns status instead of throwing. */
  tmuxTry(...args: string[]): { status: number | null; stdout: string; stderr: string };
  /** Kill the server (idempotent). */
  kill(): void;
  /** Environment for tmux and tsession: no $TMUX, a private HOME, XDG dirs inside it. */
  readonly env: NodeJS.ProcessEnv;
  /** The private HOME (removed by kill()). */
  readonly home: string;
}

/** Environment with the user's tmux/session variables removed. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.TMUX;
  delete env.TMUX_PANE;
  return env;
}

/**
 * A private HOME (with empty rc files) for shells under test: the user's own
 * rc files must neither slow nor change what the tests see.
 */
export function isolatedHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'tsession-home-'));
  for (const rc of ['.bashrc', '.bash_profile', '.profile', '.zshrc']) writeFileSync(join(home, rc), '');
  return home;
}

/**
 * The environment of an isolated user living in `home`: HOME, ZDOTDIR, XDG
 * dirs (a 0700 runtime dir made here), bash with a plain prompt, no $TMUX.
 * One definition for the tmux rig and the PTY rig.
 */
export function isolatedEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  mkdirSync(join(home, 'run'), { recursive: true, mode: 0o700 });
  return cleanEnv({
    HOME: home,
    ZDOTDIR: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_RUNTIME_DIR: join(home, 'run'),
    SHELL: '/bin/bash',
    PS1: '$ ',
    ...extra,
  });
}

/** Create an isolated server name and helpers; the server starts on first new-session. */
export function createTestServer(): TestServer {
  const name = `tsession-${process.pid}-${Date.now().toString(36)}-${counter++}`;
  const tmuxArgs = ['-L', name, '-f', '/dev/null'] as const;
  const socketPath = join(`${(process.env.TMUX_TMPDIR || '/tmp').replace(/\/+$/, '')}/tmux-${process.getuid?.() ?? 0}`, name);
  const home = isolatedHome();
  const env = isolatedEnv(home);
  const tmuxTry = (...args: string[]) => {
    const r = spawnSync('tmux', [...tmuxArgs, ...args], { env, encoding: 'utf8', timeout: 10_000 });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
  return {
    name,
    tmuxArgs,
    env,
    tmux: (...args: string[]) =>
      execFileSync('tmux', [...tmuxArgs, ...args], { env, encoding: 'utf8', timeout: 10_000 }),
    tmuxTry,
    home,
    kill: () => {
      tmuxTry('kill-server');
      // tmux 3.3a leaves its socket file behind; a test server's name is never used again.
      if (tmuxTry('has-session').status !== 0) rmSync(socketPath, { force: true });
      // Shells of the dying server may still write their history here.
      try {
        rmSync(home, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
      } catch {
        // a leftover temp dir is not a test failure
      }
    },
  };
}

/** A private temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'tsession-test-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** Poll `check` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`Expected ${what} within ${timeoutMs} ms, last value: ${JSON.stringify(last)}`);
}
