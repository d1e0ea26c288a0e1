/**
 * Restore must not depend on how slowly shells start (issue 11): with rc
 * files that keep every shell from its prompt, `tsession restore` returns
 * once the sessions are in place, and a background typist types the saved
 * commands as each shell reaches its prompt — never before it (the tty
 * would echo them above the prompt) — then journals what it did.
 * `--wait` keeps the old contract for scripts: return once typed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createTestServer, tempDir, waitFor, type TestServer } from '../helpers/tmux-server.js';
import { cleanupAfterEach } from '../helpers/teardown.js';

const afterTest = cleanupAfterEach();

function setup(): { server: TestServer; env: NodeJS.ProcessEnv; dir: string } {
  const server = createTestServer();
  const dir = tempDir('tsession-slow-');
  afterTest(() => server.kill(), dir.cleanup);
  return { server, dir: dir.path, env: { TSESSION_STATE_DIR: join(dir.path, 'state') } };
}

const current = (server: TestServer, target: string) => server.tmux('display', '-p', '-t', target, '#{pane_current_command}').trim();
const prompt = (server: TestServer, target: string) =>
  waitFor(() => server.tmux('display', '-p', '-t', target, '#{cursor_x}').trim() !== '0', 10_000, `a prompt in ${target}`);

/** A session with `tail -f` in one pane and a plain shell in the other, saved, then its server killed. */
async function savedAndCrashed(server: TestServer, env: NodeJS.ProcessEnv, dir: string): Promise<void> {
  const log = join(dir, 'app.log');
  writeFileSync(log, 'line one\n');
  server.tmux('new-session', '-d', '-s', 'work', '-x', '100', '-y', '30');
  server.tmux('split-window', '-t', '=work:0');
  await prompt(server, '=work:0.0');
  await prompt(server, '=work:0.1');
  server.tmux('send-keys', '-t', '=work:0.0', '-l', `tail -f ${log}`);
  server.tmux('send-keys', '-t', '=work:0.0', 'Enter');
  await waitFor(() => current(server, '=work:0.0') === 'tail', 10_000, 'tail running');
  expect((await runCli(server, ['save'], env)).code).toBe(0);
  server.tmux('kill-server');
  await waitFor(() => server.tmuxTry('ls').status !== 0, 5_000, 'server gone');
}

/** A journal line as `tsession log --json` prints it. */
interface LogLine {
  what: string;
  result?: string;
  detail?: string;
  evidence?: string[];
}

/** The server's journal (not the PTY host's), oldest first. */
async function journal(server: TestServer, env: NodeJS.ProcessEnv): Promise<LogLine[]> {
  const log = await runCli(server, ['log', '--json', '--tmux', '--lines', '0'], env);
  return log.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LogLine);
}

/** The typist's journal line, once it is written. */
const typistLine = (server: TestServer, env: NodeJS.ProcessEnv) =>
  waitFor(async () => (await journal(server, env)).find((e) => e.what === 'type-commands'), 20_000, 'the typist journal line');

interface RestoreJson {
  restored: { name: string }[];
  typed: { where: string; text: string; ran: boolean }[];
  typing: 'background' | 'done';
  notes: string[];
}

describe('restore with slow shells', () => {
  it('returns while shells still run their rc files; the typist re-runs tail at its prompt and journals it', async () => {
    const { server, env, dir } = setup();
    await savedAndCrashed(server, env, dir);
    // From now on every shell waits in its rc file until `go` exists (login shells read .bash_profile).
    const go = join(server.home, 'go');
    writeFileSync(join(server.home, '.bashrc'), `while [ ! -e ${JSON.stringify(go)} ]; do sleep 0.05; done\nPS1='$ '\n`);
    writeFileSync(join(server.home, '.bash_profile'), '. ~/.bashrc\n');

    const r = await runCli(server, ['restore', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as RestoreJson;
    expect(out.restored.map((s) => s.name)).toEqual(['work']);
    expect(out.typing).toBe('background');
    expect(out.typed).toEqual([{ target: expect.any(String), where: 'work:0.0', text: expect.stringMatching(/^tail -f /), ran: true, checkpoint: expect.any(String) }]);
    // Nothing was typed "anyway" into a shell that was not ready.
    expect(out.notes.join('\n')).not.toMatch(/not ready/);
    // The shells are still in their rc files: nothing runs tail yet.
    expect(current(server, '=work:0.0')).toBe('bash');

    writeFileSync(go, '');
    await waitFor(() => current(server, '=work:0.0') === 'tail', 20_000, 'tail re-run by the typist');
    // Typed at the prompt: the last line with the command (those above are the saved contents) shows the prompt first.
    const screen = server.tmux('capture-pane', '-p', '-t', '=work:0.0').split('\n');
    const line = [...screen].reverse().find((l) => l.includes('tail -f'));
    expect(line, screen.join('\n')).toMatch(/^\$ tail -f /);
    const entry = await typistLine(server, env);
    expect(entry).toMatchObject({ result: 'ok', detail: expect.stringMatching(/^re-ran 1 /) });
  }, 120_000);

  it('a crash while the typist waits for slow shells: it stops at once and journals that nothing was typed', async () => {
    const { server, env, dir } = setup();
    await savedAndCrashed(server, env, dir);
    writeFileSync(join(server.home, '.bashrc'), `while :; do sleep 0.05; done\n`);
    writeFileSync(join(server.home, '.bash_profile'), '. ~/.bashrc\n');
    const r = await runCli(server, ['restore', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as RestoreJson).typing).toBe('background');
    server.tmux('kill-server');
    // Well inside the typist's minute of patience for slow shells.
    const entry = await typistLine(server, env);
    expect(entry.evidence).toContainEqual('work:0.0: its shell ended before reaching its prompt; nothing typed there');
  }, 120_000);

  it('--wait returns once the saved commands are typed', async () => {
    const { server, env, dir } = setup();
    await savedAndCrashed(server, env, dir);
    // The plan names the pane as a person will know it, not by the build's temporary session.
    const plan = await runCli(server, ['restore', '--dry-run'], env);
    expect(plan.stdout).toMatch(/^# {3}work:0\.0: tail -f \S+ {2}— re-run \(allowlisted: /m);
    const r = await runCli(server, ['restore', '--wait'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^re-ran in work:0\.0: tail -f /m);
    // Re-run programs have started by the time it returns.
    expect(current(server, '=work:0.0')).toBe('tail');
    // Typed in the restore itself: its journal line says what.
    const entry = (await journal(server, env)).find((e) => e.what === 'restore');
    expect(entry?.evidence).toContainEqual(expect.stringMatching(/^re-ran in work:0\.0: tail -f /));
  }, 120_000);
});
