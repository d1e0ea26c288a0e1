/** Where the daemon's journal entries go, and how a failure reads in one. */
import { errorMessage } from '../../checkpoints/result.js';
import { toUserError } from '../errors.js';
import type { JournalEntry } from '../ops/journal.js';

/** Where journal entries go (the journal file and the log). */
export type Report = (entry: Omit<JournalEntry, 'at'>) => void;

/** One line for a failure: a user error's message (tmux, restore), else the error's. */
export const errorLine = (e: unknown): string => toUserError(e)?.message ?? errorMessage(e);
