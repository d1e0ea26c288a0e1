/**
 * Starting tsession's own background processes (the PTY host, its keeper, the restore typist) so
 * that they outlive whoever started them: a new session (setsid), no
 * terminal, stdout ignored, stderr appended to a private log file. The one
 * place under src/pty-host/ that runs a process.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { PRIVATE_MODES } from '../../checkpoints/paths.js';

/** Start `argv` detached; returns its pid (the caller waits for its socket, not for it). */
export function spawnDetached(argv: readonly string[], logFile: string, env: NodeJS.ProcessEnv): number {
  const fd = openSync(logFile, 'a', PRIVATE_MODES.file);
  try {
    const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['ignore', 'ignore', fd], env, cwd: '/' });
    child.unref();
    // A spawn failure (ENOENT) is reported as an event; the caller's wait for the socket times out and says so.
    child.on('error', () => {});
    return child.pid ?? 0;
  } finally {
    closeSync(fd);
  }
}
