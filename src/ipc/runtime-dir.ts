/**
 * The runtime directory our sockets live in: created 0700, and checked
 * (a real directory, ours, mode exactly 0700) before every listen and
 * connect, so no other user can plant or read a socket. Non-goals: choosing
 * the path (checkpoints/paths.ts does), tightening a directory we did not make.
 */
import type { Stats } from 'node:fs';
import { chmod, lstat, mkdir } from 'node:fs/promises';

import { MAX_SOCKET_PATH_BYTES, PRIVATE_MODES } from '../../checkpoints/paths.js';
import { err, ok, type Result } from '../../checkpoints/result.js';
import { errnoOf, ipcError, type IpcError } from './errors.js';

/** What the check needs of an lstat result (a real fs.Stats fits). */
export type DirFacts = Pick<Stats, 'isSymbolicLink' | 'isDirectory' | 'uid' | 'mode'>;

/** Our uid: the owner every runtime dir and socket must have. */
export function currentUid(): number {
  return process.getuid?.() ?? 0;
}

const octal = (mode: number): string => (mode & 0o7777).toString(8).padStart(4, '0');

/** Judge lstat facts of `path` against the rules; null when the directory is fit. Pure. */
export function judgeRuntimeDir(path: string, facts: DirFacts, uid: number): IpcError | null {
  if (facts.isSymbolicLink()) {
    return ipcError('symlink', path, `Expected runtime dir ${path} to be a directory, got a symbolic link: remove the link so tsession can make its own directory`);
  }
  if (!facts.isDirectory()) {
    return ipcError('not-a-directory', path, `Expected runtime dir ${path} to be a directory, got another kind of file: move it away`);
  }
  if (facts.uid !== uid) {
    return ipcError(
      'foreign-owner',
      path,
      `Expected runtime dir ${path} to be owned by uid ${uid}, got uid ${facts.uid}: another user made it; remove it or point XDG_RUNTIME_DIR at a directory of your own`,
    );
  }
  if ((facts.mode & 0o7777) !== PRIVATE_MODES.dir) {
    return ipcError('bad-mode', path, `Expected runtime dir ${path} to have mode 0700, got ${octal(facts.mode)}: run chmod 700 ${path}`);
  }
  return null;
}

/** Check an existing runtime dir (lstat, never following a link). A missing one is 'not-running'. */
export async function checkRuntimeDir(path: string, uid = currentUid()): Promise<Result<void, IpcError>> {
  let facts: Stats;
  try {
    facts = await lstat(path);
  } catch (e) {
    const code = errnoOf(e);
    if (code === 'ENOENT') return err(ipcError('not-running', path, `Nothing runs yet: runtime dir ${path} does not exist`));
    return err(ipcError('io', path, `Cannot inspect runtime dir ${path} (${code})`, code));
  }
  const problem = judgeRuntimeDir(path, facts, uid);
  return problem ? err(problem) : ok(undefined);
}

/**
 * Make the runtime dir (0700) unless it exists, then check it. Only a
 * directory we just made is chmod-ed (a umask may have taken bits from it);
 * an existing one with another mode is refused, never silently changed.
 */
export async function ensureRuntimeDir(path: string, uid = currentUid()): Promise<Result<void, IpcError>> {
  try {
    await mkdir(path, { mode: PRIVATE_MODES.dir });
    await chmod(path, PRIVATE_MODES.dir);
  } catch (e) {
    const code = errnoOf(e);
    if (code !== 'EEXIST') {
      return err(ipcError('io', path, `Cannot create runtime dir ${path} (${code}): check that its parent exists and is writable`, code));
    }
  }
  return checkRuntimeDir(path, uid);
}

/** The error for a path too long for a Unix socket, or null. */
export function checkPathLength(socketPath: string): IpcError | null {
  const bytes = Buffer.byteLength(socketPath);
  if (bytes <= MAX_SOCKET_PATH_BYTES) return null;
  return ipcError(
    'path-too-long',
    socketPath,
    `Expected a socket path of at most ${MAX_SOCKET_PATH_BYTES} bytes, got ${bytes} (${socketPath}): point XDG_RUNTIME_DIR at a shorter directory`,
  );
}
