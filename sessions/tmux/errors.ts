/**
 * tmux failures as values with a kind callers read (never its message
 * text), and the one place that reads tmux's stderr to pick the kind.
 */
import type { ServerSpec } from './server.js';

/** Why a tmux call failed. */
export type TmuxFailure =
  | 'not-installed'
  | 'too-old'
  | 'no-server'
  | 'no-access'
  | 'timeout'
  | 'refused'
  | 'command-failed';

/** A failed tmux call, with the server and what tmux said; `kind` is what callers branch on (stable). */
export class TmuxError extends Error {
  override readonly name = 'TmuxError';
  constructor(
    readonly kind: TmuxFailure,
    message: string,
    readonly stderr = '',
  ) {
    super(message);
  }
}

/** Classify tmux's stderr into a failure kind with one actionable line. */
export function classifyFailure(server: ServerSpec, stderr: string): TmuxError {
  const said = stderr.trim().split('\n')[0] ?? '';
  const where = `tmux server ${server.label} (${server.socketPath})`;
  if (/no server running|No such file or directory|Connection refused/.test(stderr)) {
    return new TmuxError('no-server', `No ${where} is running`, stderr);
  }
  if (/Permission denied|access not allowed/.test(stderr)) {
    return new TmuxError('no-access', `Cannot access ${where}: permission denied`, stderr);
  }
  if (/server exited unexpectedly|lost server/.test(stderr)) {
    return new TmuxError(
      'refused',
      `The ${where} is alive but refuses commands (${said}); try \`tsession unfreeze\` or end it`,
      stderr,
    );
  }
  return new TmuxError('command-failed', `tmux failed on ${where}: ${said || 'no message'}`, stderr);
}
