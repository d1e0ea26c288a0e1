/**
 * PTY-session test rig: a private HOME/XDG world per test, the built CLI run
 * in it, a real terminal (node-pty running `tsession attach`, its output
 * drawn by @xterm/headless, which answers queries like a terminal does),
 * cell-by-cell screen snapshots, and a teardown that kills the host, the
 * keeper and the shells this world started — by pid, from their lock files.
 */
import { rmSync } from 'node:fs';
import xterm from '@xterm/headless';
import * as pty from 'node-pty';
import { readHolder } from '../../checkpoints/lock.js';
import { ptyHostLockFile, ptyKeeperLockFile, ptyStoreDir, resolvePaths } from '../../checkpoints/paths.js';
import { CLI, runCli, type CliResult } from '../helpers/cli.js';
import { isolatedEnv, isolatedHome, waitFor } from '../helpers/tmux-server.js';

/** One isolated user world: HOME, XDG dirs, a 0700 runtime dir. */
export interface PtyWorld {
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
  readonly runtimeDir: string;
  readonly stateDir: string;
  readonly storeDir: string;
  cli(args: readonly string[], extraEnv?: NodeJS.ProcessEnv): Promise<CliResult>;
  hostPid(): Promise<number | null>;
  keeperPid(): Promise<number | null>;
  /** Kill the host, the keeper (its shells get SIGHUP) and remove the world. */
  destroy(): Promise<void>;
}

/** Make a world; `extraEnv` overrides (SHELL, PATH, …). */
export function ptyWorld(extraEnv: NodeJS.ProcessEnv = {}): PtyWorld {
  const home = isolatedHome();
  const env = isolatedEnv(home, { HISTFILE: '/dev/null', ...extraEnv });
  const paths = resolvePaths({ env, uid: process.getuid?.() ?? 0, cwd: home });
  const pidOf = async (file: string) => (await readHolder(file))?.pid ?? null;
  const world: PtyWorld = {
    home,
    env,
    runtimeDir: paths.runtimeDir,
    stateDir: paths.stateDir,
    storeDir: ptyStoreDir(paths.stateDir),
    cli: (args, extra = {}) => runCli(null, args, { ...env, ...extra }),
    hostPid: () => pidOf(ptyHostLockFile(paths.runtimeDir)),
    keeperPid: () => pidOf(ptyKeeperLockFile(paths.runtimeDir)),
    async destroy() {
      // A host may be starting as this runs (a terminal that lost it starts one): kill what the locks name
      // until four looks in a row (a second) find nothing alive.
      let quiet = 0;
      for (let round = 0; round < 40 && quiet < 4; round++) {
        const pids = [await world.hostPid(), await world.keeperPid()].filter((p): p is number => p !== null && alive(p));
        quiet = pids.length === 0 ? quiet + 1 : 0;
        for (const pid of pids) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      try {
        rmSync(home, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      } catch {
        // A leftover temp dir is not a test failure.
      }
    },
  };
  return world;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One cell as a person sees it: character, colours and attributes. */
export type Cell = string;

/** The screen of a headless terminal, cell by cell, plus the cursor. */
export function snapshot(term: xterm.Terminal): { rows: Cell[][]; cursor: [number, number]; alternate: boolean } {
  const b = term.buffer.active;
  const rows: Cell[][] = [];
  const cell = b.getNullCell();
  for (let y = 0; y < term.rows; y++) {
    const line = b.getLine(b.viewportY + y);
    const row: Cell[] = [];
    for (let x = 0; x < term.cols; x++) {
      const c = line?.getCell(x, cell);
      row.push(c ? `${c.getChars() || ' '}|${c.getFgColorMode()}:${c.getFgColor()}|${c.getBgColorMode()}:${c.getBgColor()}|${c.isBold()}${c.isItalic()}${c.isUnderline()}${c.isInverse()}${c.isDim()}` : '?');
    }
    rows.push(row);
  }
  return { rows, cursor: [b.cursorX, b.cursorY], alternate: b.type === 'alternate' };
}

/** The visible text of a headless terminal. */
export function screenText(term: xterm.Terminal): string {
  const b = term.buffer.active;
  const out: string[] = [];
  for (let y = 0; y < term.rows; y++) out.push(b.getLine(b.viewportY + y)?.translateToString(true) ?? '');
  return out.join('\n');
}

/** A real terminal running `tsession …args` (attach/new) on a pty, drawn by @xterm/headless. */
export interface ClientTerminal {
  readonly term: xterm.Terminal;
  readonly proc: pty.IPty;
  type(keys: string): void;
  text(): string;
  /** Resolves once everything written so far is drawn. */
  drawn(): Promise<void>;
  waitForText(pattern: RegExp | string, timeoutMs?: number): Promise<void>;
  /** Wait until the screen stops changing for `quietMs`. */
  settle(quietMs?: number): Promise<void>;
  exited: Promise<number>;
  kill(): void;
}

export function clientTerminal(world: PtyWorld, args: readonly string[], size = { cols: 80, rows: 24 }): ClientTerminal {
  const term = new xterm.Terminal({ cols: size.cols, rows: size.rows, allowProposedApi: true, scrollback: 10_000 });
  const proc = pty.spawn(process.execPath, [CLI, ...args], { cols: size.cols, rows: size.rows, cwd: world.home, env: world.env as Record<string, string>, name: 'xterm-256color' });
  let pending = Promise.resolve();
  let changes = 0;
  proc.onData((d) => {
    changes++;
    pending = new Promise((r) => term.write(d, r));
  });
  // A real terminal answers the queries programs send (DA, CPR): so does this one.
  term.onData((reply) => proc.write(reply));
  const exited = new Promise<number>((r) => proc.onExit((e) => r(e.exitCode)));
  const client: ClientTerminal = {
    term,
    proc,
    type: (keys) => proc.write(keys),
    text: () => screenText(term),
    drawn: () => pending.then(() => new Promise<void>((r) => term.write('', r))),
    async waitForText(pattern, timeoutMs = 15_000) {
      await waitFor(async () => {
        await client.drawn();
        const t = client.text();
        return typeof pattern === 'string' ? t.includes(pattern) : pattern.test(t);
      }, timeoutMs, `${String(pattern)} on the client's screen`).catch((e: Error) => {
        throw new Error(`${e.message}\n--- screen ---\n${client.text()}`);
      });
    },
    async settle(quietMs = 400) {
      let seen = -1;
      await waitFor(async () => {
        await client.drawn();
        const now = changes;
        if (now === seen) return true;
        seen = now;
        await new Promise((r) => setTimeout(r, quietMs));
        return false;
      }, 20_000, 'the screen to settle');
    },
    exited,
    kill: () => {
      try {
        proc.kill('SIGKILL');
      } catch {
        // gone
      }
    },
  };
  return client;
}

/** Detach key (Ctrl-\). */
export const DETACH = '\x1c';

/** A shell prompt at the end of a line ($ for a user, # for root, whatever PS1 the system sets). */
export const PROMPT = /[$#] $/m;
