/**
 * Making a socket path free to listen on: nothing there is fine, a stale
 * socket (nobody accepts: ECONNREFUSED) is removed, a live one is
 * 'already-running', anything else is 'socket-path-taken'. Non-goals:
 * checking the directory (runtime-dir.ts), binding (server.ts).
 */
import { lstat, unlink } from 'node:fs/promises';
import { createConnection } from 'node:net';

import { err, ok, type Result } from '../../checkpoints/result.js';
import { errnoOf, ipcError, type IpcError } from './errors.js';

/** Make `socketPath` free to bind: nothing there, or a stale socket removed. */
export async function clearSocketPath(socketPath: string, onStaleRemoved: () => void): Promise<Result<void, IpcError>> {
  let isSocket: boolean;
  try {
    isSocket = (await lstat(socketPath)).isSocket();
  } catch (e) {
    const code = errnoOf(e);
    if (code === 'ENOENT') return ok(undefined);
    return err(ipcError('io', socketPath, `Cannot inspect ${socketPath} (${code})`, code));
  }
  if (!isSocket) {
    return err(ipcError('socket-path-taken', socketPath, `Expected ${socketPath} to be free or a socket, got another kind of file: move it away`));
  }
  const answer = await probe(socketPath);
  if (answer === 'live') {
    return err(ipcError('already-running', socketPath, `A server already listens on ${socketPath}: it is already running`));
  }
  if (answer !== 'ECONNREFUSED') {
    return err(ipcError('io', socketPath, `Cannot tell whether ${socketPath} is in use (${answer})`, answer));
  }
  try {
    await unlink(socketPath);
  } catch (e) {
    const code = errnoOf(e);
    if (code !== 'ENOENT') return err(ipcError('io', socketPath, `Cannot remove stale socket ${socketPath} (${code})`, code));
  }
  onStaleRemoved();
  return ok(undefined);
}

/** Whether something accepts connections on `socketPath`: 'live', or the errno of the refusal. */
function probe(socketPath: string): Promise<'live' | string> {
  return new Promise((resolve) => {
    const s = createConnection(socketPath);
    s.once('connect', () => {
      s.destroy();
      resolve('live');
    });
    s.once('error', (e) => resolve(errnoOf(e)));
  });
}
