/**
 * `tsession doctor` on a healthy setup (exit 0) and a broken one (exit 1):
 * a bad config file, a state dir others can read, a corrupt checkpoint and
 * no tmux on PATH are each named with a fix, one line per check.
 */
import { chmodSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../src/ops/journal.js';
import { runCli } from '../helpers/cli.js';
import { cleanupAfterEach } from '../helpers/teardown.js';
import { createTestServer, tempDir, waitFor } from '../helpers/tmux-server.js';
import { shellScriptPath } from '../../src/cli/commands/shell-integration.js';

interface Check {
  id: string;
  status: 'ok' | 'warn' | 'fail';
  summary: string;
  fix: string | null;
}
const register = cleanupAfterEach();
const byId = (checks: Check[]) => Object.fromEntries(checks.map((c) => [c.id, c]));

describe('tsession doctor', () => {
  it('passes on a healthy setup: tmux, its server, a private state dir with good checkpoints, the config, node-pty', async () => {
    const server = createTestServer();
    register(() => server.kill());
    server.tmux('new-session', '-d', '-s', 'api');
    expect((await runCli(server, ['save'])).code).toBe(0);
    const r = await runCli(server, ['doctor', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { ok: boolean; checks: Check[] };
    expect(out.ok).toBe(true);
    const c = byId(out.checks);
    for (const id of ['tmux', 'socket', 'server', 'state-dir', 'free-space', 'checkpoints', 'config', 'node-pty']) expect(c[id]?.status, id).toBe('ok');
    expect(c.checkpoints?.summary).toBe('1 checkpoint, all readable');
    expect(c['shell-integration']?.status).toBe('warn'); // a bare bash without the script
    expect(c.watch?.status).toBe('warn');
    const text = await runCli(server, ['doctor']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ok {3}tmux {14}tmux \d+\.\d+/m);
    expect(text.stdout.trim().split('\n').at(-1)).toMatch(/^no problems \(\d warnings\)$/);
  }, 60_000);

  it('sees shell integration loaded in a pane, and a systemd unit installed for this server', async () => {
    const server = createTestServer();
    register(() => server.kill());
    server.tmux('new-session', '-d', '-s', 'plain');
    server.tmux('new-session', '-d', '-s', 'integrated', 'bash', '--rcfile', shellScriptPath('bash'), '-i');
    const unit = await runCli(server, ['watch', '--print-unit']);
    expect(unit.code).toBe(0);
    const units = join(server.home, '.config', 'systemd', 'user');
    mkdirSync(units, { recursive: true });
    writeFileSync(join(units, 'tsession-watch-test.service'), unit.stdout);
    let c: Record<string, Check> = {};
    await waitFor(async () => {
      const r = await runCli(server, ['doctor', '--json']);
      c = byId((JSON.parse(r.stdout) as { checks: Check[] }).checks);
      return c['shell-integration']?.status === 'ok';
    }, 20_000, 'the integrated shell to register its nonce');
    expect(c['shell-integration']?.summary).toBe('shell integration is loaded in 1 of 2 panes');
    expect(c.watch).toMatchObject({ status: 'warn' });
    expect(c.watch?.summary).toBe(`no watch daemon runs, though ${join(units, 'tsession-watch-test.service')} is installed`);
  }, 60_000);

  it('fails on a broken one, naming each problem with its fix: bad config, state dir 0777, corrupt checkpoint, a failed daemon save, no tmux', async () => {
    const server = createTestServer();
    const bin = tempDir('tsession-doctor-path-');
    register(() => server.kill(), () => bin.cleanup());
    server.tmux('new-session', '-d', '-s', 'api');
    expect((await runCli(server, ['save'])).code).toBe(0);
    const state = join(server.home, '.local', 'state', 'tsession');
    const serverDir = join(state, 'servers', readdirSync(join(state, 'servers'))[0]!);
    const [cp] = readdirSync(join(serverDir, 'checkpoints'));
    writeFileSync(join(serverDir, 'checkpoints', cp!), '{"format":"tsession-checkpoint","vers');
    await new Journal(serverDir).append({ kind: 'action', what: 'save', result: 'failed', detail: 'ENOSPC: no space left on device' });
    chmodSync(state, 0o777);
    mkdirSync(join(server.home, '.config', 'tsession'), { recursive: true });
    writeFileSync(join(server.home, '.config', 'tsession', 'config.json'), '{"contents": {"lines": -3}}');

    const r = await runCli(server, ['doctor', '--json'], { PATH: bin.path });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { ok: boolean; checks: Check[] };
    expect(out.ok).toBe(false);
    const c = byId(out.checks);
    expect(c.tmux).toMatchObject({ status: 'fail', summary: 'tmux is not installed (not on PATH)', fix: 'install tmux 3.2 or newer' });
    expect(c['state-dir']).toMatchObject({ status: 'fail', fix: `chmod 700 ${state}` });
    expect(c['state-dir']?.summary).toContain('mode 777');
    expect(c.checkpoints?.status).toBe('fail');
    expect(c.checkpoints?.summary).toMatch(/^1 of 1 checkpoints are damaged: .*truncated/);
    expect(c.config?.status).toBe('fail');
    expect(c.config?.summary).toContain('contents.lines');
    expect(c['last-save']).toMatchObject({ status: 'fail', summary: "the daemon's last save failed: ENOSPC: no space left on device" });
    expect(c['node-pty']).toMatchObject({ status: 'ok' });

    const text = await runCli(server, ['doctor'], { PATH: bin.path });
    expect(text.code).toBe(1);
    const lines = text.stdout.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('FAIL'))).toHaveLength(5);
    for (const l of lines.filter((x) => x.startsWith('FAIL'))) expect(l).toContain(' — fix: ');
    expect(lines.at(-1)).toBe('5 problems found');
    chmodSync(state, 0o700);
  }, 60_000);
});
