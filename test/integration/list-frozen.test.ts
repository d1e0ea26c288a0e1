/**
 * `tsession list` against a server that does not answer (SIGSTOPped): it
 * must say so and exit 3, never show the running sessions as "saved only"
 * (issue 11, defect 9). Through the real CLI on an isolated server.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatList } from '../../src/cli/commands/list.js';
import { runCli } from '../helpers/cli.js';
import { cleanupAfterEach, continuePid, killServer } from '../helpers/teardown.js';
import { createTestServer, tempDir, waitFor } from '../helpers/tmux-server.js';

const afterTest = cleanupAfterEach();

describe('list of a server that does not answer', () => {
  it('says the server does not answer, exits 3, and calls no live session "saved only"', async () => {
    const server = createTestServer();
    const dir = tempDir('tsession-list-frozen-');
    afterTest(() => killServer(server), dir.cleanup);
    const env = { TSESSION_STATE_DIR: join(dir.path, 'state') };
    server.tmux('new-session', '-d', '-s', 'api', '-x', '80', '-y', '24');
    await waitFor(() => server.tmux('list-panes', '-t', '=api', '-F', '#{cursor_x}').trim() !== '0', 10_000, 'shell prompt');
    expect((await runCli(server, ['save'], env)).code).toBe(0);
    const pid = Number(server.tmux('display', '-p', '#{pid}').trim());
    process.kill(pid, 'SIGSTOP');
    // Registered after the server's kill so it runs first: a stopped server never exits.
    afterTest(() => continuePid(pid));

    const text = await runCli(server, ['list'], env);
    expect(text.code).toBe(3);
    expect(text.stderr).toContain('did not answer');
    expect(text.stderr.trim().split('\n')).toHaveLength(1);
    expect(text.stdout).not.toContain('saved only');
    expect(text.stdout).toMatch(/api\s+unknown \(no answer\)/);

    const json = await runCli(server, ['list', '--json'], env);
    expect(json.code).toBe(3);
    const parsed = JSON.parse(json.stdout) as { sessions: { name: string; state: string }[]; tmuxProblem: { kind: string } | null };
    expect(parsed.sessions).toEqual([expect.objectContaining({ name: 'api', state: 'unknown' })]);
    expect(parsed.tmuxProblem?.kind).toBe('timeout');
  }, 40_000);
});

describe('formatList', () => {
  it('words each state apart', () => {
    const row = { windows: null, panes: null, attached: false, checkpoint: null, departed: null, saved: null } as const;
    const out = formatList([
      { ...row, name: 'a', state: 'crashed' },
      { ...row, name: 'b', state: 'unknown' },
      { ...row, name: 'c', state: 'closed', departed: { why: 'renamed', at: '2026-12-01T00:00:00Z', to: 'd' } },
    ]);
    expect(out).toMatch(/a\s+crashed/);
    expect(out).toMatch(/b\s+unknown \(no answer\)/);
    expect(out).toMatch(/c\s+closed: renamed to "d"/);
  });
});
