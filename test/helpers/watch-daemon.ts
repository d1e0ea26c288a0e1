/**
 * A `tsession --watch` child for tests of the daemon through the built CLI,
 * and its journal read back with `tsession log`: the daemon is started on an
 * isolated server and stopped (SIGKILL) in teardown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { expect } from 'vitest';
import type { JournalEntry } from '../../src/ops/journal.js';
import { CLI, runCli } from './cli.js';
import { stopChild, type Cleanup } from './teardown.js';
import { waitFor, type TestServer } from './tmux-server.js';

export type Entry = Omit<JournalEntry, 'at'> & { readonly at: string };

export interface Daemon {
  readonly child: ChildProcess;
  stderr(): string;
  readonly exited: Promise<number | null>;
}

/** Start `tsession -L <server> -f /dev/null --watch …args` as a child; `afterTest` stops it. */
export function startWatch(s: TestServer, afterTest: (c: Cleanup) => void, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Daemon {
  const child = spawn(process.execPath, [CLI, '-L', s.name, '-f', '/dev/null', '--watch', ...args], {
    env: { ...s.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  afterTest(() => stopChild(child));
  return { child, stderr: () => err, exited };
}

/** The server's whole journal, oldest first. */
export async function journalOf(s: TestServer, env: NodeJS.ProcessEnv = {}): Promise<Entry[]> {
  const r = await runCli(s, ['log', '-n', '0', '--json'], env);
  expect(r.code).toBe(0);
  return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Entry);
}

/** Waits until `atLeast` journal entries match; on a timeout the error carries the whole journal, so a CI log says why. */
export async function journalUntil(s: TestServer, pick: (e: Entry) => boolean, what: string, ms = 15_000, env: NodeJS.ProcessEnv = {}, atLeast = 1): Promise<Entry[]> {
  try {
    return await waitFor(
      async () => {
        const found = (await journalOf(s, env)).filter(pick);
        return found.length >= atLeast ? found : null;
      },
      ms,
      what,
    );
  } catch (e) {
    const lines = (await journalOf(s, env).catch(() => [])).map((x) => JSON.stringify(x));
    throw new Error(`${e instanceof Error ? e.message : String(e)}\njournal:\n${lines.join('\n')}`, { cause: e });
  }
}
