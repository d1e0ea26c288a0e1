/**
 * Driving `tsession --watch` in tests: start it as a child of the built CLI
 * against an isolated server, read its journal, wait for entries. Every
 * child is stopped in teardown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { expect } from 'vitest';
import { CLI, runCli } from './cli.js';
import { waitFor, type TestServer } from './tmux-server.js';
import { stopChild, type Cleanup } from './teardown.js';

/** A journal line, as `tsession log --json` prints it. */
export interface JournalEntry {
  kind: string;
  what: string;
  result?: string;
  cause?: string;
  detail?: string;
  evidence?: string[];
}

/** A running daemon. */
export interface Daemon {
  readonly child: ChildProcess;
  stderr(): string;
  exited: Promise<number | null>;
}

/** Start `tsession -L <server> -f /dev/null --watch …args`; `afterTest` stops it. */
export function startWatch(s: TestServer, afterTest: (c: Cleanup) => void, ...args: string[]): Daemon {
  const child = spawn(process.execPath, [CLI, '-L', s.name, '-f', '/dev/null', '--watch', ...args], {
    env: s.env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  afterTest(() => stopChild(child));
  return { child, stderr: () => err, exited };
}

/** The whole journal of the server's state dir. */
export async function journal(s: TestServer): Promise<JournalEntry[]> {
  const r = await runCli(s, ['log', '-n', '0', '--json']);
  expect(r.code).toBe(0);
  return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as JournalEntry);
}

/** The journal entries matching `pick`, once there are at least `atLeast`. */
export const journalUntil = (s: TestServer, pick: (e: JournalEntry) => boolean, what: string, ms = 15_000, atLeast = 1): Promise<JournalEntry[]> =>
  waitFor(
    async () => {
      const found = (await journal(s)).filter(pick);
      return found.length >= atLeast ? found : null;
    },
    ms,
    what,
  );
