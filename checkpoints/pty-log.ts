/**
 * The append-only log of a PTY session's raw output since its last
 * checkpoint: `<incarnation>.<generation>.log` (0600, in a 0700 dir: the
 * scrollback holds secrets). A checkpoint names the generation of the log
 * that continues it; the next checkpoint starts a new generation and the
 * older logs are deleted once it is on disk (compaction: their bytes are in
 * its screen). Synced about once a second, so a power cut loses at most
 * that much of a busy session. Non-goals: deciding when to checkpoint.
 */
import { openSync, writeSync, fsyncSync, closeSync, readdirSync, unlinkSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, PRIVATE_MODES } from './paths.js';

/** Tunables of the output log. */
export const PTY_LOG_LIMITS = {
  /** A log grows at most this much between checkpoints; beyond it only the newest bytes matter (a checkpoint is due). */
  maxBytes: 64 * 1024 * 1024,
  /** How often appended bytes are forced to disk. */
  syncMs: 1_000,
} as const;

const LOG_RE = /^([A-Za-z0-9_-]{1,64})\.([0-9]{1,12})\.log$/;

/** The file name of one generation of a session's log. */
export function ptyLogName(incarnation: string, generation: number): string {
  return `${incarnation}.${generation}.log`;
}

/** An open log being appended to. */
export class PtyOutputLog {
  private fd: number | null;
  private bytes = 0;
  private unsynced = false;
  /** Bytes not written because the log reached its cap. */
  skipped = 0;

  private constructor(
    readonly path: string,
    readonly generation: number,
    fd: number,
  ) {
    this.fd = fd;
  }

  /** Make the log directory (0700); once, before the first open. Throws StateDirError. */
  static async prepare(dir: string): Promise<void> {
    await ensurePrivateDir(dir);
  }

  /**
   * Open (create or append to) the log of `incarnation` at `generation` in
   * `dir` (made by prepare). Synchronous, so a generation switch leaves no
   * instant in which output has no log to go to.
   */
  static open(dir: string, incarnation: string, generation: number): PtyOutputLog {
    const path = join(dir, ptyLogName(incarnation, generation));
    const fd = openSync(path, 'a', PRIVATE_MODES.file);
    return new PtyOutputLog(path, generation, fd);
  }

  append(data: Uint8Array): void {
    if (this.fd === null) return;
    if (this.bytes + data.length > PTY_LOG_LIMITS.maxBytes) {
      this.skipped += data.length;
      return;
    }
    writeSync(this.fd, data);
    this.bytes += data.length;
    this.unsynced = true;
  }

  /** Force appended bytes to disk (called about once a second). */
  sync(): void {
    if (this.fd === null || !this.unsynced) return;
    fsyncSync(this.fd);
    this.unsynced = false;
  }

  close(): void {
    if (this.fd === null) return;
    this.sync();
    closeSync(this.fd);
    this.fd = null;
  }
}

/** The bytes of a session's log at `generation`, or null when there is none. */
export function readPtyLog(dir: string, incarnation: string, generation: number): Buffer | null {
  try {
    return readFileSync(join(dir, ptyLogName(incarnation, generation)));
  } catch {
    return null;
  }
}

/**
 * Delete logs a checkpoint made redundant: of the sessions in `keep`, every
 * generation older than the one named; of any other session, all of them.
 */
export function compactPtyLogs(dir: string, keep: ReadonlyMap<string, number>): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const m = LOG_RE.exec(name);
    if (!m) continue;
    const current = keep.get(m[1]!);
    if (current !== undefined && Number(m[2]) >= current) continue;
    try {
      unlinkSync(join(dir, name));
      removed++;
    } catch {
      // Gone already, or not ours to delete: the next compaction tries again.
    }
  }
  return removed;
}
