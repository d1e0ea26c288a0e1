/** The one line a restore note or error gives for a failed call. */
import { TmuxError } from '../tmux/errors.js';

/** Why a tmux call (or anything else) failed: tmux's first stderr line when it has one. */
export function failureLine(e: unknown): string {
  return e instanceof TmuxError ? e.stderr.trim().split('\n')[0] || e.message : (e as Error).message;
}
