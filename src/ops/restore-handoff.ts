/**
 * A restore's typing, finished by a background process. Shells start as
 * slowly as their rc files make them (a `pyenv init` costs ~100 ms of CPU
 * per shell; 120 of them on 2 cores, seconds), and a saved command may be
 * typed only once its shell waits at its prompt. `tsession restore`
 * returns once the sessions are in place and hands the rest — typing,
 * re-runs, the other gates, pane options (sessions/restore/finish.ts) — to
 * a detached typist (dist/tsession-typist.cjs), which journals what it did.
 * The data goes through a 0600 file in the server's store, not argv: ps
 * shows argv to every user, and saved command lines may say too much.
 * Non-goals: deciding what to type, the restore itself (src/ops/restore.ts).
 */
import { randomBytes } from 'node:crypto';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { PRIVATE_MODES, typingHandoffFile, typistLogFile } from '../../checkpoints/paths.js';
import { errorMessage } from '../../checkpoints/result.js';
import { finishRestore, type Finished, type RestoreFinish } from '../../sessions/restore/finish.js';
import type { ServerSpec } from '../../sessions/tmux/server.js';
import { spawnDetached } from '../pty-host/spawn-detached.js';
import { Journal, typingEntry } from './journal.js';

/** What the typist reads: everything it needs, nothing it must look up. */
export interface TypingHandoff {
  readonly version: 1;
  readonly server: ServerSpec;
  readonly env: Readonly<Record<string, string>>;
  /** The server's store: the journal the typist writes to. */
  readonly storeDir: string;
  readonly cause: string;
  readonly checkpointId: string;
  readonly finish: RestoreFinish;
}

/** How the restore's end went: handed to a typist, or (it could not start) finished here. */
export type HandoffOutcome = { readonly kind: 'handed-off'; readonly pid: number } | { readonly kind: 'finished-here'; readonly notes: readonly string[]; readonly why: string };

/**
 * Hand `h` to a typist started as `typist` (argv; the file's path is
 * appended). When it cannot be started, finish here and say why: the
 * commands are typed either way.
 */
export async function handOffTyping(h: TypingHandoff, typist: readonly string[]): Promise<HandoffOutcome> {
  const file = typingHandoffFile(h.storeDir, randomBytes(6).toString('hex'));
  let why: string;
  try {
    await writeFile(file, JSON.stringify(h), { mode: PRIVATE_MODES.file, flag: 'wx' });
    const pid = spawnDetached([...typist, file], typistLogFile(h.storeDir), h.env);
    if (pid > 0) return { kind: 'handed-off', pid };
    why = `the typist ${typist.join(' ')} did not start`;
    await unlink(file).catch(() => undefined);
  } catch (e) {
    why = `the typist could not be started: ${errorMessage(e)}`;
    await unlink(file).catch(() => undefined);
  }
  const notes: string[] = [];
  await finishRestore(h.finish, h, notes);
  return { kind: 'finished-here', notes, why };
}

/** Why a handoff file cannot be used. */
export class HandoffReadError extends Error {
  override readonly name = 'HandoffReadError';
}

/** Read and remove a handoff file (it is used once). */
export async function takeHandoff(file: string): Promise<TypingHandoff> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new HandoffReadError(`Cannot read the typing handoff ${file}: ${errorMessage(e)}`);
  } finally {
    await unlink(file).catch(() => undefined);
  }
  let h: unknown;
  try {
    h = JSON.parse(text);
  } catch {
    throw new HandoffReadError(`The typing handoff ${file} is not JSON`);
  }
  const v = h as Partial<TypingHandoff> | null;
  if (v?.version !== 1 || !v.server?.socketPath || typeof v.storeDir !== 'string' || !Array.isArray(v.finish?.jobs)) {
    throw new HandoffReadError(`The typing handoff ${file} is not one this tsession wrote`);
  }
  return v as TypingHandoff;
}

/** The typist's work: finish the restore and journal what it typed; the exit code. */
export async function runHandoff(h: TypingHandoff): Promise<number> {
  const t0 = performance.now();
  const notes: string[] = [];
  let done: Finished = { typed: [], stopped: true };
  try {
    done = await finishRestore(h.finish, h, notes);
  } catch (e) {
    notes.push(`finishing the restore failed: ${errorMessage(e)}`);
  }
  const failed = done.stopped;
  const journal = new Journal(h.storeDir);
  await journal.append(typingEntry(h.cause, h.checkpointId, done.typed, notes, failed, performance.now() - t0));
  return failed ? 1 : 0;
}
