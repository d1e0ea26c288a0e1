/**
 * The recovery journal (DESIGN.md): every detection and every action of the
 * watch daemon, the interface and the commands as one JSON line, with its cause, evidence, result and
 * duration, so a person can answer "what did tsession do, and why?".
 * Appended with O_APPEND (one write per entry), rotated to `journal.1.jsonl`
 * past a size, file mode 0600. A torn or hand-edited line is skipped on read
 * and counted, never fatal.
 */
import { appendFile, open, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir, PRIVATE_MODES } from '../../checkpoints/paths.js';
import { errorMessage } from '../../checkpoints/result.js';
import { visible } from '../../checkpoints/words.js';
import { EXIT } from '../exit-codes.js';
import type { RepairEvent } from '../../sessions/repair/execute.js';
import type { RestoreResult } from '../../sessions/restore/transaction.js';
import type { Typed } from '../../sessions/restore/typing.js';

/** What kind of line: something noticed, something done, or the own life of a daemon (the watch daemon, the PTY host). */
export type JournalKind = 'detected' | 'action' | 'daemon';

/** Every name a journal line has, by kind (readers match on these, so a new one is added here first). */
export const JOURNAL_WHAT = {
  detected: [
    'server-down',
    'server-not-answering',
    'server-up',
    'server-ended',
    'server-crashed',
    'server-frozen',
    'server-recovered',
    'session-frozen',
    'session-recovered',
    'restore-breaker-open',
    'restore-gave-up',
    'session-left',
    'config-invalid',
    'config-reloaded',
    'unfreeze-needs-person',
    // The PTY host's (src/pty-host/host-journal.ts).
    'host-crashed',
    'host-breaker-open',
    'start-history-unreadable',
    'keeper-lost',
    'keeper-not-answering',
    'shell-integration-off',
    'checkpoint-warning',
    'session-exited',
    'revive-breaker-open',
    'typing-gave-up',
  ],
  action: ['save', 'restore', 'type-commands', 'unfreeze', 'forget', 'session-new', 'session-kill', 'session-adopt', 'session-revive', 'command-typed', 'command-rerun'],
  daemon: ['started', 'stopping', 'stopped', 'host-started', 'host-stopping', 'host-start-failed', 'keeper-started'],
} as const;

/** What a line is about: one of JOURNAL_WHAT. */
export type JournalWhat = (typeof JOURNAL_WHAT)[JournalKind][number];

export interface JournalEntry {
  /** ISO time. */
  readonly at: string;
  readonly kind: JournalKind;
  readonly what: JournalWhat;
  /** Why this happened (the notification, the crash, a signal). */
  readonly cause?: string;
  /** Facts seen, as short lines. */
  readonly evidence?: readonly string[];
  readonly result?: 'ok' | 'skipped' | 'failed' | 'refused';
  /** One line: a checkpoint id, what was restored, an error. */
  readonly detail?: string;
  readonly durationMs?: number;
}

export const JOURNAL_FILE = 'journal.jsonl';
const ROTATED_FILE = 'journal.1.jsonl';
/** The journal's previous file, kept after a rotation. */
export const JOURNAL_ROTATED_FILE = ROTATED_FILE;
/** Rotate past this size: ~5,000 entries; the rotated file keeps the ones before. */
export const JOURNAL_MAX_BYTES = 1024 * 1024;

export class Journal {
  private size: number | null = null;
  private torn = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    private readonly maxBytes = JOURNAL_MAX_BYTES,
  ) {}

  get path(): string {
    return join(this.dir, JOURNAL_FILE);
  }

  /** Append one entry (entries are written in call order). Rejects on I/O failure. */
  append(entry: JournalRecord): Promise<void> {
    const line = `${JSON.stringify({ at: new Date().toISOString(), ...entry })}\n`;
    const next = this.writing.then(() => this.write(line));
    this.writing = next.catch(() => {});
    return next;
  }

  /** Resolves once every entry appended so far is written (or failed). */
  flushed(): Promise<void> {
    return this.writing;
  }

  private async write(line: string): Promise<void> {
    try {
      if (this.size === null) this.size = await stat(this.path).then((s) => s.size, () => 0);
      if (this.size > 0 && this.size + line.length > this.maxBytes) {
        // ENOENT: the file was moved or deleted by hand; a new one starts either way.
        await rename(this.path, join(this.dir, ROTATED_FILE)).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'ENOENT') throw e;
        });
        this.size = 0;
      }
      // After a failed write the file may end in half a line: start on a fresh one.
      const text = this.torn ? `\n${line}` : line;
      await appendFile(this.path, text, { mode: PRIVATE_MODES.file });
      this.torn = false;
      this.size += Buffer.byteLength(text);
    } catch (e) {
      this.torn = true;
      this.size = null; // stat again next time
      throw e;
    }
  }
}

/** An entry before it is written: the journal stamps the time. */
export type JournalRecord = Omit<JournalEntry, 'at'>;

/** The journal exists but cannot be read (permissions, a directory in its place). */
export class JournalReadError extends Error {
  override readonly name = 'JournalReadError';
  /** Exit code of a command that cannot read it: the state dir is unusable (EXIT.state). */
  readonly exitCode = EXIT.state;
}

/**
 * The journal's entries, oldest first (rotated file, then current), how many
 * lines were unreadable, and whether it holds every line ever written
 * (`complete` false: it was rotated, so its oldest lines may be gone).
 */
export async function readJournal(dir: string): Promise<{ entries: JournalEntry[]; skipped: number; complete: boolean }> {
  const entries: JournalEntry[] = [];
  let skipped = 0;
  let complete = true;
  for (const file of [ROTATED_FILE, JOURNAL_FILE]) {
    let text: string;
    try {
      text = await readFile(join(dir, file), 'utf8');
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ENOENT') continue;
      throw new JournalReadError(`Cannot read the journal ${join(dir, file)}: ${err.code ?? err.message}`);
    }
    if (file === ROTATED_FILE) complete = false;
    for (const line of text.split('\n')) {
      if (!line) continue;
      const entry = parseEntry(line);
      if (entry) entries.push(entry);
      else skipped++;
    }
  }
  return { entries, skipped, complete };
}

/** Bytes read from the journal's end for its newest entries (~300 lines). */
const TAIL_BYTES = 64 * 1024;

/**
 * The newest `max` entries (oldest first), reading only the file's end: the
 * interface asks on every refresh. Missing or unreadable: none.
 */
export async function readJournalTail(dir: string, max: number): Promise<JournalEntry[]> {
  let handle;
  try {
    handle = await open(join(dir, JOURNAL_FILE), 'r');
  } catch {
    return [];
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - TAIL_BYTES);
    const buf = Buffer.alloc(size - start);
    await handle.read(buf, 0, buf.length, start);
    const lines = buf.toString('utf8').split('\n');
    if (start > 0) lines.shift(); // began mid-line
    const entries: JournalEntry[] = [];
    for (const line of lines) {
      const e = line ? parseEntry(line) : null;
      if (e) entries.push(e);
    }
    return entries.slice(-max);
  } catch {
    return [];
  } finally {
    await handle.close();
  }
}

const isKind = (k: unknown): k is JournalKind => typeof k === 'string' && Object.hasOwn(JOURNAL_WHAT, k);

/**
 * One line as an entry, or null when it is not one (torn write, hand edit,
 * or a name this build does not know, e.g. a newer tsession's).
 */
export function parseEntry(line: string): JournalEntry | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  const e = v as Record<string, unknown>;
  if (typeof e.at !== 'string' || !isKind(e.kind)) return null;
  if (!(JOURNAL_WHAT[e.kind] as readonly unknown[]).includes(e.what)) return null;
  return e as unknown as JournalEntry;
}

/** Which journal an entry came from: a tmux server's (its watch daemon, commands on it) or the PTY host's. */
export type JournalSource = 'tmux' | 'pty';

/** An entry with the journal it came from. */
export interface SourcedEntry {
  readonly source: JournalSource;
  readonly entry: JournalEntry;
}

/**
 * Several journals as one, oldest first, by time (ISO times sort as
 * strings); entries of the same instant keep each journal's order, the
 * journals taken in the order given.
 */
export function mergeJournals(journals: readonly { readonly source: JournalSource; readonly entries: readonly JournalEntry[] }[]): SourcedEntry[] {
  const all = journals.flatMap((j) => j.entries.map((entry) => ({ source: j.source, entry })));
  // Array.prototype.sort is stable: equal times stay in the order above.
  return all.sort((a, b) => (a.entry.at < b.entry.at ? -1 : a.entry.at > b.entry.at ? 1 : 0));
}

/**
 * One entry as a line for a person: time, the journal it came from (when
 * several are shown), kind, what, result, detail, cause, then the evidence
 * indented below. Every field is shown visibly (a detail may quote a
 * session name, evidence a process name or a path): a line break or a C1
 * control in them never reaches the terminal.
 */
export function formatEntry(e: JournalEntry, source?: string): string {
  const parts = [e.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), ...(source === undefined ? [] : [source]), e.kind.padEnd(8), e.what];
  if (e.result) parts.push(`[${e.result}]`);
  if (e.detail) parts.push(e.detail);
  if (e.cause) parts.push(`(cause: ${e.cause})`);
  if (e.durationMs !== undefined) parts.push(`${Math.round(e.durationMs)} ms`);
  const head = visible(parts.join(' '));
  return e.evidence?.length ? [head, ...e.evidence.map((l) => `    ${visible(l)}`)].join('\n') : head;
}

/** The journal line of a restore: what came back from which checkpoint, what was skipped and noted. */
export function restoreEntry(
  cause: string,
  checkpointId: string,
  result: Pick<RestoreResult, 'restored' | 'skipped' | 'notes'> & Partial<Pick<RestoreResult, 'typed' | 'handoff'>>,
  durationMs: number,
  warnings: readonly string[] = [],
): JournalRecord {
  // Typed here: say what. Handed to the typist: its own line (type-commands) will.
  const typed = result.handoff ? [] : (result.typed ?? []).map((t) => `${t.ran ? 're-ran' : 'typed'} in ${t.where}: ${t.text}`);
  return {
    kind: 'action',
    what: 'restore',
    cause,
    result: result.restored.length ? 'ok' : 'skipped',
    detail: `${result.restored.map((r) => r.name).join(', ') || 'nothing'} from ${checkpointId}`,
    evidence: [...warnings, ...result.skipped.map((s) => `skipped ${s.name}: ${s.reason}`), ...typed, ...result.notes],
    durationMs,
  };
}

/** The journal line of a restore's typing, finished apart from it (src/ops/restore-handoff.ts). */
export function typingEntry(cause: string, checkpointId: string, typed: readonly Typed[], notes: readonly string[], failed: boolean, durationMs: number): JournalRecord {
  const ran = typed.filter((t) => t.ran).length;
  const words = [ran ? `re-ran ${ran}` : '', typed.length - ran ? `typed ${typed.length - ran} (not run)` : ''].filter(Boolean).join(', ');
  return {
    kind: 'action',
    what: 'type-commands',
    cause,
    result: failed ? 'failed' : 'ok',
    detail: `${words || 'nothing'} of the restore from ${checkpointId}`,
    evidence: [...typed.map((t) => `${t.ran ? 're-ran' : 'typed'} in ${t.where}: ${t.text}`), ...notes],
    durationMs,
  };
}

const REPAIR_RESULT = { healed: 'ok', 'not-healed': 'skipped', failed: 'failed', declined: 'refused', skipped: 'skipped' } as const;

/** The journal line of one unfreeze step that ran (or was declined); none for a step's start. */
export function repairEntry(cause: string, session: string, e: RepairEvent): JournalRecord | null {
  if (e.phase === 'start') return null;
  return { kind: 'action', what: 'unfreeze', cause, result: REPAIR_RESULT[e.phase], detail: `${session}: ${e.step.title} — ${e.detail}`, durationMs: e.ms };
}

/**
 * Where an op's journal lines go: the journal file of its store (by hand),
 * or the watch daemon's report (its one Journal and its log). Resolves to
 * null when written, else to one line saying why the journal could not be
 * written — never a throw: a journal that cannot be written is a warning,
 * never the action's failure.
 */
export type JournalSink = (entries: readonly JournalRecord[]) => Promise<string | null>;

/**
 * A sink appending to the journal of `dir`, so the journal answers for every
 * action, not only the daemon's.
 */
export function journalIn(dir: string): JournalSink {
  return async (entries) => {
    if (!entries.length) return null;
    try {
      await ensurePrivateDir(dir);
      const journal = new Journal(dir);
      for (const e of entries) await journal.append(e);
      return null;
    } catch (e) {
      return `cannot write the journal in ${dir}: ${errorMessage(e)}`;
    }
  };
}
