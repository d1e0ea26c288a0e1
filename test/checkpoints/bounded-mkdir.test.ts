/**
 * Defect 5 of issue 11: a state dir under /proc made Node's recursive mkdir
 * retry for ever (ENOENT from /proc/x, EEXIST from /proc). ensurePrivateDir
 * must settle, at once, with an error a person can act on.
 */
import { describe, expect, it } from 'vitest';
import { ensurePrivateDir, StateDirError } from '../../checkpoints/paths.js';

// Races the call against a timer: without the fix the promise never settles,
// and the test must fail rather than hang the suite.
async function settleWithin<T>(p: Promise<T>, ms: number): Promise<{ settled: true; value: unknown } | { settled: false }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<{ settled: false }>((res) => (timer = setTimeout(() => res({ settled: false }), ms)));
  const done = p.then(
    (value) => ({ settled: true as const, value }),
    (value: unknown) => ({ settled: true as const, value }),
  );
  try {
    return await Promise.race([done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('ensurePrivateDir under a parent that refuses new directories', () => {
  it.each(['/proc/x', '/proc/x/y/z'])('%s fails with ENOENT and a hint, promptly', async (dir) => {
    const outcome = await settleWithin(ensurePrivateDir(dir), 2_000);
    expect(outcome.settled).toBe(true);
    const e = (outcome as { value: unknown }).value;
    expect(e).toBeInstanceOf(StateDirError);
    expect((e as StateDirError).code).toBe('ENOENT');
    expect((e as StateDirError).message).toBe(
      `State dir ${dir} cannot be created: its parent refuses new directories (ENOENT, e.g. under /proc): pass --state-dir with a writable directory`,
    );
  });
});
