/**
 * A PTY session's state in words, shared by `tsession list` and the
 * interface. Its own module: the interface's first frame loads it without the
 * host client and the checkpoint store behind pty-sessions.ts.
 */
import type { PtyListing } from './pty-sessions.js';

/** running, exited (code), revivable, host down, left down. */
export const ptyStateText = (p: Pick<PtyListing, 'kind' | 'exitCode'>): string => (p.kind === 'exited' ? `exited (${p.exitCode ?? '?'})` : p.kind);
