/** Exit codes come from an error's class and kind, never from its message. */
import { describe, expect, it } from 'vitest';
import { StateDirError } from '../../checkpoints/paths.js';
import type { CheckpointError } from '../../checkpoints/result.js';
import { RestoreError } from '../../sessions/restore/transaction.js';
import { TmuxError } from '../../sessions/tmux/errors.js';
import { exitCodeOf, RESTORE_EXIT, toUserError } from '../../src/errors.js';
import { EXIT } from '../../src/exit-codes.js';
import { CHECKPOINT_EXIT, checkpointFailure } from '../../src/ops/checkpoints.js';
import { JournalReadError } from '../../src/ops/journal.js';
import { UserError } from '../../src/user-error.js';

describe('exitCodeOf', () => {
  it('maps each typed error by class and kind', () => {
    expect(exitCodeOf(new UserError('x', EXIT.conflict))).toBe(EXIT.conflict);
    expect(exitCodeOf(new TmuxError('no-server', 'anything at all'))).toBe(EXIT.tmux);
    expect(exitCodeOf(new StateDirError('x', 'ENOSPC', '/s'))).toBe(EXIT.state);
    expect(exitCodeOf(new JournalReadError('x'))).toBe(EXIT.state);
    for (const kind of Object.keys(RESTORE_EXIT) as RestoreError['kind'][]) expect(exitCodeOf(new RestoreError(kind, 'x'))).toBe(RESTORE_EXIT[kind]);
    expect(RESTORE_EXIT.exists).toBe(EXIT.conflict);
  });

  it("knows a TmuxError of the bin's own bundle by its name and kind", () => {
    const foreign = Object.assign(new Error('No tmux server'), { name: 'TmuxError', kind: 'no-server' });
    expect(exitCodeOf(foreign)).toBe(EXIT.tmux);
    // The message alone decides nothing.
    expect(exitCodeOf(new Error('No tmux server -L x is running'))).toBeNull();
  });

  it('calls anything else a bug: null, and toUserError null', () => {
    expect(exitCodeOf(new TypeError('x is undefined'))).toBeNull();
    expect(exitCodeOf('a string')).toBeNull();
    expect(toUserError(new RangeError('x'))).toBeNull();
    expect(EXIT.internal).toBe(70);
  });

  it('keeps the message and sets the code in toUserError', () => {
    const ue = toUserError(new RestoreError('exists', 'A session named "a" already exists'));
    expect(ue).toBeInstanceOf(UserError);
    expect(ue).toMatchObject({ message: 'A session named "a" already exists', exitCode: EXIT.conflict });
  });
});

describe('checkpointFailure', () => {
  it('gives each kind its exit code', () => {
    const e = (kind: CheckpointError['kind']): CheckpointError => ({ kind, file: '/f', reason: 'r', message: `m ${kind}` });
    expect(checkpointFailure(e('io')).exitCode).toBe(EXIT.state);
    expect(checkpointFailure(e('bad-id')).exitCode).toBe(EXIT.usage);
    for (const kind of ['not-found', 'corrupt', 'future-version'] as const) expect(checkpointFailure(e(kind)).exitCode).toBe(EXIT.noCheckpoint);
    expect(Object.keys(CHECKPOINT_EXIT).sort()).toEqual(['bad-id', 'corrupt', 'future-version', 'io', 'not-found']);
    expect(checkpointFailure(e('corrupt')).message).toBe('m corrupt');
  });
});
