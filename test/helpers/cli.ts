/**
 * Runs the built CLI (dist/tsession.cjs, the package's bin) as a real process against an
 * isolated tmux server and a private state dir.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { TestServer } from './tmux-server.js';

/** Path of the compiled CLI; `npm test` builds it first. */
export const CLI = join(import.meta.dirname, '..', '..', 'dist', 'tsession.cjs');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `tsession -L <server> ...args` with the server's private environment (`bin`: another path to the CLI, e.g. a link). */
export function runCli(
  server: Pick<TestServer, 'name' | 'env'> | null,
  args: readonly string[],
  extraEnv: NodeJS.ProcessEnv = {},
  timeoutMs = 60_000,
  bin = CLI,
): Promise<CliResult> {
  const argv = server ? [bin, '-L', server.name, ...args] : [bin, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, {
      env: { ...(server?.env ?? process.env), ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
