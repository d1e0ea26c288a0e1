/**
 * Maps the typed errors of lower layers to UserErrors with exit codes: one
 * line a person can act on, no stack.
 */
import { EXIT } from './exit-codes.js';
import { UserError } from './user-error.js';

/** The UserError for `e`, or null when it is a bug (print it with --debug). */
export function toUserError(e: unknown): UserError | null {
  if (e instanceof UserError) return e;
  if (!(e instanceof Error)) return null;
  switch (e.name) {
    case 'TmuxError':
      return new UserError(e.message, EXIT.tmux);
    case 'RestoreError': {
      const kind = (e as Error & { kind?: string }).kind;
      const code = kind === 'exists' ? EXIT.conflict : kind === 'unknown-session' || kind === 'bad-request' ? EXIT.usage : EXIT.failed;
      return new UserError(e.message, code);
    }
    case 'StateDirError':
    case 'JournalReadError':
      return new UserError(e.message, EXIT.state);
    default:
      return null;
  }
}
