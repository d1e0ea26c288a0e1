/**
 * Where a pane's shell-integration nonce lives and how tsession reads it: the
 * shell scripts (shell/tsession.*) write it, keyed by shell pid, to a private
 * runtime file. Not a secret store: only the ownership/permission checks that
 * keep another local user from planting or reading a nonce.
 */
import { randomBytes } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, unlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { nonceDirs as nonceDirsOf, type NonceDir } from '../../checkpoints/paths.js';
import { isPidRunning } from '../proc/liveness.js';

/** Environment variable through which tsession-hosted PTYs hand a nonce to the shell. */
export const NONCE_ENV = 'TSESSION_NONCE' as const;

/** What a nonce must look like: the scripts emit 32 or 64 hex digits; tsession accepts any 16–128 alphanumerics. */
export const NONCE_PATTERN = /^[A-Za-z0-9]{16,128}$/;

// A nonce file is one short line; anything larger is not ours.
const MAX_NONCE_FILE_BYTES = 256;

/** Fresh 128-bit nonce for a shell tsession starts itself (pass it as $TSESSION_NONCE). */
export function generateNonce(): string {
  return randomBytes(16).toString('hex');
}

/** Candidate nonce directories, best first (checkpoints/paths.ts decides them). */
export function nonceDirs(env: NodeJS.ProcessEnv = process.env, uid = currentUid()): string[] {
  return nonceDirsOf(env, uid).map((c) => c.dir);
}

/** Path of the nonce file the scripts write for a shell pid (in the preferred directory). */
export function nonceFilePath(shellPid: number, env: NodeJS.ProcessEnv = process.env): string {
  return join(nonceDirs(env)[0]!, String(shellPid));
}

/**
 * The nonce registered by the shell whose pid is `shellPid` (tmux pane_pid),
 * or undefined when there is none or it cannot be trusted: a file or directory
 * not owned by this user, readable or writable by group/others, a symlink, or
 * content that is not a nonce. Never throws.
 */
export function readPaneNonce(shellPid: number, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!Number.isSafeInteger(shellPid) || shellPid <= 0) return undefined;
  const uid = currentUid();
  for (const candidate of nonceDirsOf(env, uid)) {
    const nonce = readNonceIn(candidate, shellPid, uid);
    if (nonce !== undefined) return nonce;
  }
  return undefined;
}

/** Remove nonce files whose shell is gone (a shell killed by SIGKILL cannot clean up). Returns the pids removed. */
export function pruneStaleNonces(
  env: NodeJS.ProcessEnv = process.env,
  isAlive: (pid: number) => boolean = isPidRunning,
): number[] {
  const uid = currentUid();
  const removed: number[] = [];
  for (const { dir, root } of nonceDirsOf(env, uid)) {
    if (!privateDirs(dir, root, uid)) continue;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const pid = Number(name);
      if (!/^[0-9]+$/.test(name) || isAlive(pid)) continue;
      try {
        unlinkSync(join(dir, name));
        removed.push(pid);
      } catch {
        // Raced with the shell itself or another pruner: nothing to do.
      }
    }
  }
  return removed;
}

function readNonceIn({ dir, root }: NonceDir, pid: number, uid: number): string | undefined {
  if (!privateDirs(dir, root, uid)) return undefined;
  const file = join(dir, String(pid));
  const st = lstatOrNull(file);
  if (!st || !st.isFile() || !ownedPrivate(st, uid) || st.size > MAX_NONCE_FILE_BYTES) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'latin1').trim();
  } catch {
    return undefined;
  }
  return NONCE_PATTERN.test(text) ? text : undefined;
}

// The directories the scripts create must be private and ours; the runtime
// root itself ($XDG_RUNTIME_DIR) is the session manager's, so only the /tmp
// fallback root is checked.
function privateDirs(dir: string, root: string | undefined, uid: number): boolean {
  return (root === undefined || privateDir(root, uid)) && privateDir(join(dir, '..'), uid) && privateDir(dir, uid);
}

function privateDir(path: string, uid: number): boolean {
  const st = lstatOrNull(path);
  return st !== null && st.isDirectory() && ownedPrivate(st, uid);
}

function ownedPrivate(st: Stats, uid: number): boolean {
  return st.uid === uid && (st.mode & 0o077) === 0;
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

function currentUid(): number {
  // process.getuid is absent only on Windows, where there are no such shells.
  return process.getuid?.() ?? -1;
}

