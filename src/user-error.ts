/**
 * An error the user can act on: the CLI prints its message as one line and
 * exits with its code, no stack (unless --debug).
 */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    /** Process exit code; see README "Exit codes". */
    readonly exitCode: number = 1,
  ) {
    super(message);
  }
}
