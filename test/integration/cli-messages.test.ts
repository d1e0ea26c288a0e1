/**
 * What the command line says, through the built CLI on an isolated server:
 * usage errors in tsession's own words with exit 2 (never node:util's
 * parseArgs texts, never the internal `default` command), unknown sessions
 * as unknown, counts as words, one JSON document per --json run, commands
 * to paste that reach the same server, ids by unique prefix, and
 * `diff --exit-code`.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { runCli, type CliResult } from '../helpers/cli.js';
import { createTestServer, tempDir, waitFor, type TestServer } from '../helpers/tmux-server.js';
import { cleanupAfterEach } from '../helpers/teardown.js';

const afterTest = cleanupAfterEach();

function setup(): { server: TestServer; env: NodeJS.ProcessEnv } {
  const server = createTestServer();
  const dir = tempDir('tsession-msg-');
  afterTest(() => server.kill(), dir.cleanup);
  return { server, env: { TSESSION_STATE_DIR: join(dir.path, 'state') } };
}

async function startSession(server: TestServer, name: string): Promise<void> {
  server.tmux('new-session', '-d', '-s', name, '-x', '80', '-y', '24');
  await waitFor(() => server.tmux('list-panes', '-t', `=${name}`, '-F', '#{cursor_x}').trim() !== '0', 10_000, 'shell prompt');
}

/** A usage error: exit 2, one line of ours on stderr, nothing on stdout. */
function expectUsage(r: CliResult, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  // node:util parseArgs's own wording never reaches a person.
  expect(r.stderr).not.toMatch(/To specify a positional|argument missing|is ambiguous and|Unexpected argument|ERR_PARSE_ARGS/);
}

/** Words a person reads: no "session(s)", no internal command name. */
function expectWords(text: string): void {
  expect(text).not.toMatch(/\w\(s\)/);
  expect(text).not.toMatch(/tmux server default\b/);
}

describe('usage errors', () => {
  it('unknown options, missing or extra values and stray arguments: one line of ours, exit 2', async () => {
    const at = (args: string[]) => runCli(null, ['-L', 'tsession-never-started', ...args], {}, 20_000);
    expectUsage(await at(['list', '--foo']), /^tsession: Unknown option --foo for tsession list; see tsession list --help$/);
    expectUsage(await at(['restore', '--from']), /^tsession: Option --from needs a value; see tsession restore --help$/);
    expectUsage(await at(['restore', '--from', '-x']), /^tsession: Option --from needs a value, got the option -x \(write --from=-x/);
    expectUsage(await at(['list', '--json=yes']), /^tsession: Option --json takes no value, got "yes"/);
    for (const cmd of ['list', 'status', 'log', 'watch']) {
      expectUsage(await at([cmd, 'extra']), new RegExp(`^tsession: Expected no arguments for tsession ${cmd}, got "extra"; see tsession ${cmd} --help$`));
    }
    for (const cmd of ['diff', 'checkpoints', 'unfreeze']) {
      expectUsage(await at([cmd, 'a', 'b']), new RegExp(`^tsession: Expected at most 1 session name for tsession ${cmd}, got "b" too`));
    }
    expectUsage(await at(['parse', 'a', 'b']), /^tsession: Expected at most 1 file for tsession parse, got "b" too/);
    // Both commands that take a shell say a wrong one the same way.
    for (const cmd of ['shell-integration', 'completion']) {
      expectUsage(await at([cmd]), new RegExp(`^tsession: Expected a shell of bash, zsh or fish, got nothing; see tsession ${cmd} --help$`));
      expectUsage(await at([cmd, 'tcsh']), new RegExp(`^tsession: Expected a shell of bash, zsh or fish, got "tcsh"; see tsession ${cmd} --help$`));
      expectUsage(await at([cmd, 'bash', 'x']), new RegExp(`^tsession: Expected a shell of bash, zsh or fish, got "bash" "x"; see tsession ${cmd} --help$`));
    }
    // The command a bare `tsession` runs is not a word to type, nor listed.
    const internal = await at(['default']);
    expectUsage(internal, /^tsession: Expected a command \(save, restore, .*\), got "default"/);
    expect(internal.stderr).not.toMatch(/, default[,)]/);
  });

  it('restore --as "" is refused before anything is read or built', async () => {
    const { server, env } = setup();
    // No checkpoint and no server: a refusal that came later would say so instead.
    expectUsage(await runCli(server, ['restore', 'x', '--as', ''], env), /^tsession: Expected --as to name the restored copy, got an empty name/);
    expect(server.tmuxTry('ls').status).not.toBe(0);
  });

  it('--nonce is checked as documented (16 to 128 letters and digits); --health has --interval’s bounds', async () => {
    expectUsage(await runCli(null, ['parse', '--nonce', 'abc', '/dev/null']), /^tsession: Expected --nonce to be 16 to 128 letters and digits/);
    expectUsage(await runCli(null, ['parse', '--nonce', 'a-b_c-d-e-f-g-h-i-j', '/dev/null']), /--nonce/);
    const ok = await runCli(null, ['parse', '--nonce', '0123456789abcdef0123456789abcdef', '/dev/null']);
    expect(ok.code).toBe(0);
    for (const bad of ['0.5', '-1', 'soon']) {
      expectUsage(await runCli(null, ['-L', 'tsession-never-started', '--watch', `--health=${bad}`, '--print-unit']), /^tsession: --health: expected seconds \(a number ≥ 1, or 0 for none\)/);
    }
  });
});

describe('sessions, servers and checkpoints a person names', () => {
  it('diff and checkpoints of an unknown session exit 2; unfreeze with no server exits 3', async () => {
    const { server, env } = setup();
    await startSession(server, 'api');
    expect((await runCli(server, ['save'], env)).code).toBe(0);
    const diff = await runCli(server, ['diff', 'nosuch'], env);
    expect(diff.code).toBe(2);
    expect(diff.stderr).toMatch(/^tsession: Unknown session "nosuch": not running on tmux server -L (\S+) and in none of its checkpoints; see tsession -L \1 list\n$/);
    const listed = await runCli(server, ['checkpoints', 'nosuch'], env);
    expect(listed.code).toBe(2);
    expect(listed.stderr).toMatch(/^tsession: Unknown session "nosuch"/);
    // forget says an unknown session the same way.
    const forgot = await runCli(server, ['forget', 'nosuch'], env);
    expect(forgot.code).toBe(2);
    expect(forgot.stderr).toMatch(/^tsession: Unknown session "nosuch": in none of the checkpoints of tmux server -L (\S+); see tsession -L \1 list\n$/);
    // A known one still lists; a running one never saved is not unknown.
    expect((await runCli(server, ['checkpoints', 'api'], env)).code).toBe(0);
    await startSession(server, 'fresh');
    expect((await runCli(server, ['checkpoints', 'fresh'], env))).toMatchObject({ code: 0, stdout: expect.stringMatching(/^no checkpoints of fresh in /) });
    // Running, never saved: no checkpoint of it (exit 5), said as such, with the save to run.
    const unsaved = await runCli(server, ['diff', 'fresh'], env);
    expect(unsaved.code).toBe(5);
    expect(unsaved.stderr).toMatch(/^tsession: No checkpoint holds session "fresh" yet \(it runs, never saved\); save it first: tsession -L \S+ save fresh\n$/);
    server.tmux('kill-server');
    await waitFor(() => server.tmuxTry('ls').status !== 0, 5_000, 'server gone');
    const unfreeze = await runCli(server, ['unfreeze'], env);
    expect(unfreeze.code).toBe(3);
    expect(unfreeze.stderr).toMatch(/^tsession: No tmux server -L \S+ is running, so nothing is frozen/);
  }, 60_000);

  it('a restore says the name tmux stored, counts in words, and the checkpoint by its age', async () => {
    const { server, env } = setup();
    await startSession(server, 'api');
    expect((await runCli(server, ['save'], env)).code).toBe(0);
    const r = await runCli(server, ['restore', 'api', '--as', 'v1.2'], env);
    expect(r.code, r.stderr).toBe(0);
    // tmux stores `.` as `_`: the line names the session a person can attach to.
    expect(r.stdout).toMatch(/^restored v1_2 \(1 window, 1 pane\) from checkpoint \S+ \(\d+s ago\)$/m);
    expect(server.tmux('ls', '-F', '#{session_name}').split('\n')).toContain('v1_2');
    expectWords(r.stdout + r.stderr);
  }, 60_000);

  it('checkpoint ids are taken by unique prefix; an ambiguous one lists the candidates', async () => {
    const { server, env } = setup();
    await startSession(server, 'api');
    const first = (await runCli(server, ['save'], env)).stdout.trim();
    const second = (await runCli(server, ['save', '--force'], env)).stdout.trim();
    expect(first).not.toBe(second);
    // The two ids differ within their tails, so a prefix ending in the shared part names both.
    let shared = 0;
    while (first[shared] === second[shared]) shared++;
    const common = first.slice(0, shared);
    const unique = second.slice(0, shared + 1);
    const dry = await runCli(server, ['restore', 'api', '--as', 'copy', '--from', unique, '--dry-run'], env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`# plan from checkpoint ${second} (`);
    const ambiguous = await runCli(server, ['diff', '--from', common], env);
    expectUsage(ambiguous, new RegExp(`^tsession: Checkpoint id "${common.replace(/\./g, '\\.')}" is ambiguous: 2 checkpoints start with it \\(${second}, ${first}\\); give more of the id$`));
    // An id that is no checkpoint's start is not found, as before.
    expect((await runCli(server, ['diff', '--from', 'zzz'], env)).code).toBe(5);
  }, 60_000);

  it('diff --exit-code: 0 when the live sessions match, 1 when something differs', async () => {
    const { server, env } = setup();
    await startSession(server, 'api');
    expect((await runCli(server, ['save'], env)).code).toBe(0);
    expect((await runCli(server, ['diff', 'api', '--exit-code'], env)).code).toBe(0);
    server.tmux('new-window', '-d', '-t', '=api:', '-n', 'logs');
    server.tmux('select-window', '-t', '=api:1');
    const changed = await runCli(server, ['diff', 'api', '--exit-code'], env);
    expect(changed.code).toBe(1);
    // In words, not the comparer's kinds (window-extra, flag): the same line as the interface's diff panel.
    expect(changed.stdout).toMatch(/window api:1 "\S+" is not in the checkpoint/);
    expect(changed.stdout).toMatch(/\n {4}active api:0: saved yes \| live no\n/);
    expect(changed.stdout).not.toMatch(/window-extra|flag |true|false/);
    // Without it a difference is still a success, as git diff.
    expect((await runCli(server, ['diff', 'api'], env)).code).toBe(0);
  }, 60_000);
});

describe('output to paste', () => {
  it('restore --dry-run prints tmux commands for the server the user named; status keeps -L', async () => {
    const { server, env } = setup();
    await startSession(server, 'api');
    expect((await runCli(server, ['save'], env)).code).toBe(0);
    const dry = await runCli(server, ['restore', 'api', '--as', 'copy', '--dry-run'], env);
    expect(dry.code, dry.stderr).toBe(0);
    const commands = dry.stdout.split('\n').filter((l) => l.startsWith('tmux '));
    expect(commands.length).toBeGreaterThan(2);
    for (const c of commands) expect(c.startsWith(`tmux -L ${server.name} `), c).toBe(true);
    // Pasted into bash, the first one builds on the same server.
    const pasted = spawnSync('bash', ['-c', commands[0]!], { env: server.env, encoding: 'utf8', timeout: 10_000 });
    expect(pasted.status, pasted.stderr).toBe(0);
    expect(server.tmux('ls', '-F', '#{session_name}')).toMatch(/^tsession-restore-/m);
    const status = await runCli(server, ['status'], env);
    expect(status.stdout).toContain(`start with: tsession -L ${server.name} --watch`);
    const byPath = await runCli(null, ['-S', '/tmp/tsession-no-such/sock', 'status'], env);
    expect(byPath.stdout).toContain("start with: tsession -S /tmp/tsession-no-such/sock --watch");
    expectWords(dry.stdout + status.stdout);
  }, 60_000);

  it('--debug stacks point at the source files; without it there is no stack', async () => {
    const { server, env } = setup();
    const plain = await runCli(server, ['save'], env);
    expect(plain.code).toBe(3);
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    const debug = await runCli(server, ['save', '--debug'], env);
    expect(debug.code).toBe(3);
    expect(debug.stderr).toMatch(/\n\s+at \S+ \(\S+\/sessions\/tmux\/\S+\.ts:\d+:\d+\)/);
  }, 30_000);
});

describe('--json', () => {
  it('every command prints one JSON document on stdout (log: JSON Lines, documented), no timings unless asked', async () => {
    const { server, env } = setup();
    await startSession(server, 'api');
    server.tmux('split-window', '-t', '=api:');
    const json = async (args: string[], code = 0): Promise<unknown> => {
      const r = await runCli(server, [...args, '--json'], env);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code);
      return JSON.parse(r.stdout) as unknown;
    };
    expect(await json(['--version'])).toEqual({ version: expect.any(String) });
    expect(await json(['--help'])).toMatchObject({ command: null, help: expect.stringContaining('Usage: tsession') });
    expect(await json(['diff', '--help'])).toMatchObject({ command: 'diff' });
    const saved = (await json(['save'])) as Record<string, unknown>;
    expect(saved).toMatchObject({ saved: true, panes: 2 });
    expect(saved).not.toHaveProperty('timings');
    expect(JSON.parse((await runCli(server, ['save', '--json', '--timings'], env)).stdout)).toHaveProperty('timings');
    expect(await json(['checkpoints'])).toEqual([expect.objectContaining({ cause: 'by hand' }), expect.objectContaining({ cause: 'by hand' })]);
    expect((await runCli(server, ['checkpoints'], env)).stdout).toMatch(/^TIME\s+AGE\s+CAUSE\s+SESSIONS.*\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+\d+s\s+by hand\s+api\s+2\s/);
    expect(await json(['diff'])).toMatchObject({ differs: false, sessions: [{ session: 'api', state: 'same' }] });
    expect(await json(['status'])).toMatchObject({ watching: false });
    expect(await json(['unfreeze', '--dry-run'])).toMatchObject({ frozen: [] });
    expect(await json(['shell-integration', 'bash'])).toMatchObject({ shell: 'bash', script: expect.stringContaining('633') });
    expect(await json(['tmux-conf'])).toHaveProperty('snippet');
    expect(await json(['completion', 'bash'])).toMatchObject({ shell: 'bash', script: expect.stringContaining('__complete') });
    // doctor's exit code says whether something is wrong on this machine; its stdout is one document either way.
    const doctor = await runCli(server, ['doctor', '--json'], env);
    expect(() => JSON.parse(doctor.stdout) as unknown).not.toThrow();
    const dry = (await json(['restore', 'api', '--as', 'copy', '--dry-run'])) as Record<string, unknown>;
    expect(dry).toMatchObject({ dryRun: true });
    expect(dry).not.toHaveProperty('timings');
    // A saved session that is not running: its windows and panes, as the interface shows them.
    await startSession(server, 'other');
    server.tmux('kill-session', '-t', '=api');
    const list = (await json(['list'])) as { sessions: { name: string; state: string; windows: number; panes: number; saved: { index: number; panes: { cwd: string }[] }[] | null }[] };
    const api = list.sessions.find((s) => s.name === 'api')!;
    expect(api).toMatchObject({ state: 'crashed', windows: 1, panes: 2 });
    expect(api.saved).toHaveLength(1);
    expect(api.saved![0]!.panes).toHaveLength(2);
    expect(api.saved![0]!.panes[0]!.cwd).toMatch(/^\//);
    expect(list.sessions.find((s) => s.name === 'other')).toMatchObject({ state: 'live', saved: null });
    // The text list counts the saved session's windows and panes too.
    expect((await runCli(server, ['list'], env)).stdout).toMatch(/^api\s+crashed\s+tmux\s+1\s+2\s/m);
    // log --json is JSON Lines: one entry per line, nothing for an empty journal.
    const log = await runCli(server, ['log', '--json'], env);
    expect(log.code).toBe(0);
    for (const line of log.stdout.split('\n').filter(Boolean)) expect(JSON.parse(line)).toHaveProperty('what');
  }, 90_000);
});
