/**
 * `tsession unfreeze` end to end on an isolated server: nothing frozen,
 * --dry-run prints evidence and ladder and changes nothing, a stopped job is
 * resumed, destructive rungs are marked as needing --yes, --json, and a
 * session that does not exist is a usage error.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStat } from '../../../sessions/proc/facts.js';
import { stopAJob } from '../../helpers/frozen-job.js';
import { createTestServer, tempDir, waitFor, type TestServer } from '../../helpers/tmux-server.js';
import { continuePid, killServer } from '../../helpers/teardown.js';
import { CLI, requireBuild } from '../../tui/helpers/tui-pane.js';

let ts: TestServer;
let state: { path: string; cleanup(): void };
const stopped: number[] = [];

beforeAll(async () => {
  requireBuild();
  ts = createTestServer();
  state = tempDir('tsession-unfreeze-');
  ts.tmux('new-session', '-d', '-s', 'work', '-x', '100', '-y', '30');
  await waitFor(() => ts.tmux('display', '-p', '-t', 'work', '#{cursor_x}').trim() !== '0', 10_000, 'the shell prompt');
});

afterAll(async () => {
  for (const pid of stopped.splice(0)) continuePid(pid);
  await killServer(ts);
  state?.cleanup();
});

const unfreeze = (...args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, '-L', ts.name, 'unfreeze', ...args], { env: { ...ts.env, TSESSION_STATE_DIR: state.path }, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('tsession unfreeze', () => {
  it('says when nothing is frozen (exit 0)', () => {
    const r = unfreeze();
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^nothing is frozen on tmux server -L tsession-\S+ \(work: detached\)/);
  });

  it('a session that does not exist is a usage error (exit 2)', () => {
    const r = unfreeze('nope');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Expected a session of tmux server -L \S+, got "nope" \(known: work\)/);
  });

  it('--dry-run prints evidence and the ladder and changes nothing; then a plain run resumes the job', async () => {
    const { sleep, sh } = await stopAJob(ts, stopped);

    const dry = unfreeze('--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(new RegExp(`^work: frozen\\n  job: pane %\\d+ \\(work:0\\.0\\): pid ${sleep} \\(sleep\\) of the foreground job \\(process group ${sh}\\) is stopped: state T`));
    expect(dry.out).toMatch(/  1\. Resume the stopped job in work:0\.0 \(SIGCONT to process group \d+\)\n  2\. Interrupt .* \[destructive: needs --yes\]\n  3\. Terminate .* \[destructive: needs --yes\]\n  4\. Respawn pane work:0\.0 in place \(respawn-pane -k, in \/\S+\) \[destructive: needs --yes\]/);
    expect(readStat(sleep)?.state).toBe('T');

    const json = JSON.parse(unfreeze('--dry-run', '--json').out) as { dryRun: boolean; frozen: { session: string; plan: { steps: { destructive: boolean }[] } }[] };
    expect(json.dryRun).toBe(true);
    expect(json.frozen[0]!.session).toBe('work');
    expect(json.frozen[0]!.plan.steps.map((s) => s.destructive)).toEqual([false, true, true, true]);

    const run = unfreeze('work');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/… Resume the stopped job[\s\S]*✓ healed: sent SIGCONT to process group \d+; pane work:0\.0 is running[\s\S]*work: pane work:0\.0 is healthy again after: Resume the stopped job/);
    expect(readStat(sleep)?.state).toBe('S');

    // The journal answers "what did tsession do, and why": the freeze with its evidence, then the step (the dry runs wrote nothing).
    const log = spawnSync(process.execPath, [CLI, '-L', ts.name, 'log', '-n', '0', '--json'], { env: { ...ts.env, TSESSION_STATE_DIR: state.path }, encoding: 'utf8', timeout: 30_000 });
    const entries = log.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { kind: string; what: string; result?: string; detail?: string; cause?: string; evidence?: string[] });
    expect(entries.map((e) => `${e.kind} ${e.what} ${e.result ?? ''}`.trim())).toEqual(['detected session-frozen', 'action unfreeze ok']);
    expect(entries[0]).toMatchObject({ detail: 'work', cause: 'tsession unfreeze (by hand)' });
    expect(entries[0]!.evidence!.join('\n')).toContain(`pid ${sleep} (sleep)`);
    expect(entries[1]!.detail).toMatch(/^work: Resume the stopped job .* — sent SIGCONT/);
  });
});
