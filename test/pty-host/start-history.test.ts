/**
 * The start history on disk: a missing file is an empty history, a damaged
 * one is an empty history with a reason (the host still starts), the file
 * is 0600 and replaced atomically, and the gate records starts, their
 * ends and refusals so that the Nth crashed start opens the breaker.
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { passStartGate, readStartHistory } from '../../src/pty-host/start-history.js';
import { tempDir } from '../helpers/tmux-server.js';

const dirs: { cleanup(): void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.cleanup();
});
function historyFile(): string {
  const d = tempDir();
  dirs.push(d);
  return join(d.path, 'host-starts.json');
}

const policy = { maxCrashes: 3, windowMs: 60_000 };

describe('readStartHistory', () => {
  it('a missing file is an empty history, without a problem', async () => {
    expect(await readStartHistory(historyFile())).toEqual({ history: { starts: [], refusedAt: null }, problem: null });
  });

  it('a damaged or foreign file is an empty history, with the reason', async () => {
    const file = historyFile();
    for (const text of ['{"version":1,"starts":[{"at":1', '{"version":2,"starts":[],"refusedAt":null}', '[]', 'null']) {
      writeFileSync(file, text);
      const read = await readStartHistory(file);
      expect(read.history, text).toEqual({ starts: [], refusedAt: null });
      expect(read.problem, text).toMatch(/^Expected the PTY host's start history \S+host-starts\.json to be /);
    }
  });

  it('an unreadable path is an empty history, with the reason', async () => {
    const file = historyFile();
    mkdirSync(file);
    const read = await readStartHistory(file);
    expect(read.problem).toMatch(/^Cannot read the PTY host's start history .*EISDIR/);
  });
});

describe('passStartGate', () => {
  it('records each start and how it ended; the Nth crashed start opens the breaker, recorded as refused', async () => {
    const file = historyFile();
    let now = 1_000_000;
    for (let i = 0; i < policy.maxCrashes; i++) {
      const gate = await passStartGate(file, { pid: 100 + i, now, byHand: false, policy });
      if (gate.kind !== 'start') throw new Error(`start ${i} was refused`);
      expect(await gate.start.end('failed', `attempt ${i}`)).toBeNull();
      now += 1_000;
    }
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const refused = await passStartGate(file, { pid: 200, now, byHand: false, policy });
    expect(refused).toMatchObject({ kind: 'open', problems: [] });
    if (refused.kind !== 'open') throw new Error('unreachable');
    expect(refused.verdict.crashes.map((c) => c.reason)).toEqual(['attempt 0', 'attempt 1', 'attempt 2']);
    const after = (await readStartHistory(file)).history;
    expect(after.refusedAt).toBe(now);
    // A refusal is not a start: nothing was added for pid 200.
    expect(after.starts.map((s) => s.pid)).toEqual([100, 101, 102]);
    // No temp file left beside it.
    expect(readdirSync(join(file, '..'))).toEqual(['host-starts.json']);
  });

  it('a start that serves and stops cleanly is not a crash; by hand it passes an open breaker', async () => {
    const file = historyFile();
    const now = 1_000_000;
    for (let i = 0; i < policy.maxCrashes; i++) {
      const gate = await passStartGate(file, { pid: 100 + i, now: now + i, byHand: false, policy });
      if (gate.kind === 'start') await gate.start.end('failed', 'x');
    }
    expect((await passStartGate(file, { pid: 300, now: now + 10, byHand: false, policy })).kind).toBe('open');
    const byHand = await passStartGate(file, { pid: 301, now: now + 20, byHand: true, policy });
    if (byHand.kind !== 'start') throw new Error('a start by hand was refused');
    await byHand.start.ready(now + 30);
    await byHand.start.end('clean');
    expect((await readStartHistory(file)).history).toEqual({ starts: [{ at: now + 20, pid: 301, readyAt: now + 30, end: 'clean' }], refusedAt: null });
    expect((await passStartGate(file, { pid: 302, now: now + 40, byHand: false, policy })).kind).toBe('start');
  });

  it('a history it cannot read or write never stops a start, and says why', async () => {
    const file = historyFile();
    // A directory in its place: unreadable as a file, and no rename can replace it (not even root's).
    mkdirSync(file);
    writeFileSync(join(file, 'keep'), '');
    const gate = await passStartGate(file, { pid: 1, now: 1, byHand: false, policy });
    expect(gate.kind).toBe('start');
    expect(gate.problems).toEqual([expect.stringMatching(/^Cannot read the PTY host's start history .*EISDIR/), expect.stringMatching(/^Cannot write the PTY host's start history /)]);
    if (gate.kind === 'start') expect(await gate.start.end('clean')).toMatch(/^Cannot write the PTY host's start history /);
  });
});
