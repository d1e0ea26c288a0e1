/**
 * Status: whether a watch daemon follows the server, and what it (or a
 * person) did last — from the lock file and the journal, so it answers
 * whether or not the daemon runs.
 */
import type { Context } from '../context.js';
import { readHolder, type LockHolder } from '../../checkpoints/lock.js';
import { watchLockFile } from '../../checkpoints/paths.js';
import { isRunning as isAlive } from '../../sessions/proc/liveness.js';
import { readJournal, type JournalEntry } from './journal.js';
import { runTmux } from '../../sessions/tmux/client.js';
import { TmuxError } from '../../sessions/tmux/errors.js';

/** How long status waits for the server to answer. */
export const STATUS_SERVER_TIMEOUT_MS = 2_000;

/** Whether the server itself runs and answers: status is where a person looks after a crash. */
export type ServerState =
  | { readonly kind: 'running'; readonly sessions: number }
  | { readonly kind: 'not-running' }
  | { readonly kind: 'not-answering'; readonly detail: string };

/** Ask the server for its sessions, briefly. */
export async function serverState(ctx: Context): Promise<ServerState> {
  try {
    const { stdout } = await runTmux(ctx.server, [['list-sessions', '-F', '#{session_id}']], { env: ctx.env, timeoutMs: STATUS_SERVER_TIMEOUT_MS });
    return { kind: 'running', sessions: stdout.toString('utf8').split('\n').filter(Boolean).length };
  } catch (e) {
    if (e instanceof TmuxError && e.kind === 'no-server') return { kind: 'not-running' };
    return { kind: 'not-answering', detail: e instanceof Error ? e.message : String(e) };
  }
}

/** The lock file of a server's watch daemon (under the runtime dir). */
export const watchLockPath = (ctx: Context): string => watchLockFile(ctx.paths.runtimeDir, ctx.server.socketPath);

/** What status reports. */
export interface WatchStatus {
  /** A live daemon holds the server's watch lock. */
  readonly watching: boolean;
  /** The lock's holder, live or stale; null when there is no lock. */
  readonly holder: LockHolder | null;
  readonly lastSave: JournalEntry | null;
  readonly lastDetection: JournalEntry | null;
  readonly lastRestore: JournalEntry | null;
  /** The journal holds no entry at all. */
  readonly journalEmpty: boolean;
  /** The journal's newest save, when it failed: the saves are not working (null: they are, or none ran). */
  readonly lastSaveFailed: JournalEntry | null;
  /** The config file went bad under a daemon, which goes on with its last good settings (null: it did not). */
  readonly configInvalid: JournalEntry | null;
  /**
   * The daemon stopped restoring (its crash breaker opened, or its tries ran
   * out) and nothing was restored since: the sessions stay down until a
   * person restores them (null: not so).
   */
  readonly leftDown: JournalEntry | null;
}

/** The newest entry matching `pick`, or null. */
const newest = (entries: readonly JournalEntry[], pick: (e: JournalEntry) => boolean): JournalEntry | null => {
  for (let i = entries.length - 1; i >= 0; i--) if (pick(entries[i]!)) return entries[i]!;
  return null;
};

/** Read the lock and the journal of the server of `ctx`. */
export async function watchStatus(ctx: Context): Promise<WatchStatus> {
  const holder = await readHolder(watchLockPath(ctx));
  const { entries } = await readJournal(ctx.storeDir);
  return {
    watching: holder !== null && isAlive(holder),
    holder,
    lastSave: newest(entries, (e) => e.what === 'save' && e.result === 'ok'),
    lastDetection: newest(entries, (e) => e.kind === 'detected'),
    lastRestore: newest(entries, (e) => e.what === 'restore'),
    journalEmpty: entries.length === 0,
    ...daemonTrouble(entries),
  };
}

/**
 * What is wrong with the daemon's work, from the journal (oldest first): its
 * newest save failed, or the config file went bad and was neither fixed nor
 * followed by a daemon start (which validates it) since.
 */
export function daemonTrouble(entries: readonly JournalEntry[]): Trouble {
  const save = newest(entries, (e) => e.what === 'save');
  const config = newest(entries, (e) => e.what === 'config-invalid' || e.what === 'config-reloaded' || e.what === 'started');
  // A restore that worked (by hand too) or a new daemon (a fresh breaker) ends it.
  const restoring = newest(entries, (e) => e.what === 'restore-breaker-open' || e.what === 'restore-gave-up' || (e.what === 'restore' && e.result === 'ok') || e.what === 'started');
  return {
    lastSaveFailed: save?.result === 'failed' ? save : null,
    configInvalid: config?.what === 'config-invalid' ? config : null,
    leftDown: restoring?.what === 'restore-breaker-open' || restoring?.what === 'restore-gave-up' ? restoring : null,
  };
}

/** What can be wrong with a daemon's work. */
export type Trouble = Pick<WatchStatus, 'lastSaveFailed' | 'configInvalid' | 'leftDown'>;

/** The daemon's trouble as one short phrase for a header, or null when its saves work. */
export function troublePhrase(t: Trouble): string | null {
  // Sessions left down first: saves that fail for want of a server follow from it.
  if (t.leftDown) return `stopped restoring: ${[...(t.leftDown.evidence ?? []), t.leftDown.detail ?? ''].filter(Boolean).join('; ')}`;
  if (t.lastSaveFailed) return `last save failed: ${t.lastSaveFailed.detail ?? 'no reason given'}`;
  if (t.configInvalid) return `config invalid, last good settings kept: ${t.configInvalid.detail ?? ''}`;
  return null;
}
