/**
 * `tsession list` against a server that does not answer (SIGSTOPped): it
 * must say so and exit 3, never show the running sessions as "saved only"
 * (issue 11, defect 9). Through the real CLI on an isolated server.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatList } from '../../src/cli/commands/list.js';
import { runCli } from '../helpers/cli.js';
import { stopAJob } from '../helpers/frozen-job.js';
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

describe('list health, as the interface says it', () => {
  it('healthy, changed since the checkpoint, frozen; attachment in its own column, never "detached"', async () => {
    const server = createTestServer();
    const dir = tempDir('tsession-list-health-');
    const stopped: number[] = [];
    afterTest(() => killServer(server), dir.cleanup, () => stopped.forEach(continuePid));
    const env = { TSESSION_STATE_DIR: join(dir.path, 'state') };
    server.tmux('new-session', '-d', '-s', 'api', '-x', '80', '-y', '24');
    server.tmux('new-session', '-d', '-s', 'work', '-x', '80', '-y', '24');
    await waitFor(() => server.tmux('list-panes', '-a', '-F', '#{cursor_x}').split('\n').filter((l) => l && l !== '0').length >= 2, 10_000, 'shell prompts');
    expect((await runCli(server, ['save'], env)).code).toBe(0);
    type Row = { name: string; state: string; health: string; attached: boolean };
    const list = async () => {
      const r = await runCli(server, ['list', '--json'], env);
      expect(r.code, r.stderr).toBe(0);
      return new Map((JSON.parse(r.stdout) as { sessions: Row[] }).sessions.map((x) => [x.name, x]));
    };
    expect(await list()).toEqual(new Map([
      ['api', expect.objectContaining({ state: 'live', health: 'healthy', attached: false })],
      ['work', expect.objectContaining({ state: 'live', health: 'healthy', attached: false })],
    ]));

    // A window added since the checkpoint: changed, as the diff and the interface show it.
    server.tmux('new-window', '-t', '=api', '-n', 'logs');
    await stopAJob(server, stopped);
    const l = await list();
    expect(l.get('api')).toMatchObject({ health: 'changed', attached: false });
    expect(l.get('work')).toMatchObject({ health: 'frozen' });
    const text = await runCli(server, ['list'], env);
    expect(text.stdout).toMatch(/^SESSION\s+HEALTH\s+KIND\s+WINDOWS\s+PANES\s+ATTACHED/);
    expect(text.stdout).toMatch(/api\s+changed\s+tmux\s+2\s+2\s+no/);
    expect(text.stdout).toMatch(/work\s+frozen\s+tmux\s+1\s+1\s+no/);
    expect(text.stdout).not.toMatch(/detached/);
  }, 60_000);
});

describe('formatList', () => {
  it('words each health apart, as the interface does (attachment in its own column)', () => {
    const row = { windows: null, panes: null, attached: false, checkpoint: null, departed: null, saved: null } as const;
    const out = formatList([
      { ...row, name: 'a', state: 'crashed', health: 'crashed' },
      { ...row, name: 'b', state: 'unknown', health: 'unknown' },
      { ...row, name: 'c', state: 'closed', health: 'closed', departed: { why: 'renamed', at: '2026-12-01T00:00:00Z', to: 'd' } },
      { ...row, name: 'e', state: 'live', health: 'changed', windows: 2, panes: 3 },
      { ...row, name: 'f', state: 'live', health: 'healthy', windows: 1, panes: 1 },
    ]);
    expect(out).toMatch(/^SESSION\s+HEALTH\s+KIND\s+WINDOWS\s+PANES\s+ATTACHED\s+CHECKPOINT\n/);
    expect(out).toMatch(/e\s+changed\s+tmux\s+2\s+3\s+no/);
    expect(out).toMatch(/f\s+healthy\s+tmux\s+1\s+1\s+no/);
    expect(out).not.toMatch(/detached|live/);
    expect(out).toMatch(/a\s+crashed/);
    expect(out).toMatch(/b\s+unknown \(no answer\)/);
    expect(out).toMatch(/c\s+closed: renamed to "d"/);
  });
});
