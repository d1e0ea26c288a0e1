/**
 * Maps the typed errors of lower layers to UserErrors with exit codes: one
 * line a person can act on, no stack. Decided by each error's class and
 * kind, never by its message. Loaded only when a command fails (the save
 * path never pays for the restore module it imports).
 */
import { StateDirError } from '../checkpoints/paths.js';
import { RestoreError } from '../sessions/restore/transaction.js';
import { TmuxError } from '../sessions/tmux/errors.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { UserError } from './user-error.js';

/** Exit code of each kind of failed restore. */
export const RESTORE_EXIT: Readonly<Record<RestoreError['kind'], ExitCode>> = {
  exists: EXIT.conflict,
  'unknown-session': EXIT.usage,
  'bad-request': EXIT.usage,
  'build-failed': EXIT.failed,
  'verify-failed': EXIT.failed,
};

/** An error of ours that knows its exit code (JournalReadError, …). */
interface CarriesExitCode extends Error {
  readonly exitCode: ExitCode;
}

const carriesExitCode = (e: Error): e is CarriesExitCode => typeof (e as Partial<CarriesExitCode>).exitCode === 'number';

/**
 * A TmuxError, also one thrown by the bin's own copy of the tmux client: the
 * bin (dist/tsession.cjs) starts a save's layout read before it loads the
 * command line (dist/tsession-main.cjs), and each bundle has its own class,
 * so `instanceof` alone misses the bin's. The name and the kind tell it.
 */
export function isTmuxError(e: unknown): e is TmuxError {
  return e instanceof TmuxError || (e instanceof Error && e.name === 'TmuxError' && typeof (e as Partial<TmuxError>).kind === 'string');
}

/** The exit code of a typed error, or null when `e` is a bug. */
export function exitCodeOf(e: unknown): number | null {
  if (e instanceof UserError) return e.exitCode;
  if (isTmuxError(e)) return EXIT.tmux;
  if (e instanceof RestoreError) return RESTORE_EXIT[e.kind];
  if (e instanceof StateDirError) return EXIT.state;
  if (e instanceof Error && carriesExitCode(e)) return e.exitCode;
  return null;
}

/** The UserError for `e`, or null when it is a bug (print it with --debug). */
export function toUserError(e: unknown): UserError | null {
  if (e instanceof UserError) return e;
  const code = exitCodeOf(e);
  return code === null ? null : new UserError((e as Error).message, code);
}
