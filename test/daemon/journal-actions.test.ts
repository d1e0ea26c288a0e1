/**
 * A restore by hand is journaled like the daemon's own actions: what came
 * back, from which checkpoint, and why (by hand); a dry run writes nothing.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createTestServer, type TestServer } from '../helpers/tmux-server.js';

const s: TestServer = createTestServer();
afterAll(() => s.kill());

describe('the journal of actions taken by hand', () => {
  it('tsession restore appends what it restored; --dry-run appends nothing', async () => {
    s.tmux('new-session', '-d', '-s', 'kept', '-x', '80', '-y', '24');
    s.tmux('new-session', '-d', '-s', 'lost', '-x', '80', '-y', '24');
    const saved = await runCli(s, ['save']);
    expect(saved.code).toBe(0);
    const id = saved.stdout.trim();
    s.tmux('kill-session', '-t', 'lost');
    expect((await runCli(s, ['restore', '--dry-run'])).code).toBe(0);
    expect((await runCli(s, ['log', '--json'])).stdout).toBe('');
    expect((await runCli(s, ['restore'])).code).toBe(0);
    const entries = (await runCli(s, ['log', '--json'])).stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries).toEqual([
      expect.objectContaining({ kind: 'action', what: 'restore', result: 'ok', cause: 'tsession restore (by hand)', detail: `lost from ${id}` }),
    ]);
  });
});
