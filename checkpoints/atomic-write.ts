/**
 * Crash-safe file replacement: a private temp file in the same directory,
 * written and fsynced, renamed over the target, then the directory fsynced.
 * Non-goals: locking (two writers of one path: last rename wins), retries.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PRIVATE_MODES, toStateDirError } from './paths.js';

/** The steps of one atomic write, in order (for crash tests). */
export const ATOMIC_WRITE_STEPS = ['open', 'write', 'fsync', 'rename', 'fsync-dir'] as const;
export type AtomicWriteStep = (typeof ATOMIC_WRITE_STEPS)[number];

/** Options for writeFileAtomic. */
export interface AtomicWriteOptions {
  /** File mode of the result; default 0600. */
  readonly mode?: number;
  /** Directory named in error messages (the state dir); default the file's dir. */
  readonly hintDir?: string;
  /**
   * false skips both fsyncs (still atomic against crashes of this process,
   * not against power loss): for caches that are rebuilt when in doubt.
   */
  readonly durable?: boolean;
  /**
   * false skips only the directory fsync: for a batch of files in one
   * directory whose writer fsyncs the directory once after the last rename.
   */
  readonly syncDir?: boolean;
  /** Called after each step completes; crash tests kill the process here. */
  readonly afterStep?: (step: AtomicWriteStep) => void;
}

// Temp names start with a dot and end in .tmp so no listing mistakes one for
// a checkpoint, and carry the writer's pid so a sweeper can tell a crashed
// writer's leftovers from a live writer's file.
const TEMP_RE = /^\..+\.([0-9a-z]+)\.[0-9a-f]{12}\.tmp$/;

/** True for names writeFileAtomic uses for its temp files. */
export function isTempName(name: string): boolean {
  return TEMP_RE.test(name);
}

/** The pid that created a temp file, or null if the name is not one of ours. */
export function tempOwnerPid(name: string): number | null {
  const m = TEMP_RE.exec(name);
  return m?.[1] ? Number.parseInt(m[1], 36) : null;
}

/** Make a unique temp path next to `path`. */
export function tempPathFor(path: string): string {
  const nonce = randomBytes(6).toString('hex');
  return join(dirname(path), `.${basename(path)}.${process.pid.toString(36)}.${nonce}.tmp`);
}

/**
 * Atomically replace `path` with `data`. Returns the byte count. On any error
 * the temp file is removed and a StateDirError with an actionable message is thrown.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<number> {
  const dir = dirname(path);
  const tmp = tempPathFor(path);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const step = options.afterStep ?? (() => {});
  const durable = options.durable ?? true;
  let fh: FileHandle | undefined;
  let created = false;
  try {
    // 'wx' = O_CREAT|O_EXCL: never follow or reuse someone else's file.
    fh = await open(tmp, 'wx', options.mode ?? PRIVATE_MODES.file);
    created = true;
    step('open');
    await fh.writeFile(bytes);
    step('write');
    if (durable) await fh.sync();
    await fh.close();
    fh = undefined;
    step('fsync');
    await rename(tmp, path);
    created = false;
    step('rename');
    if (durable && options.syncDir !== false) await fsyncDir(dir);
    step('fsync-dir');
    return bytes.byteLength;
  } catch (error) {
    await fh?.close().catch(() => {});
    if (created) await unlink(tmp).catch(() => {});
    throw toStateDirError(error, options.hintDir ?? dir, path);
  }
}

/** fsync a directory so a rename in it survives power loss. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch (error) {
    // Some file systems cannot fsync a directory; the rename is still atomic.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EISDIR') throw error;
  } finally {
    await fh.close();
  }
}
