/**
 * `--watch --auto-unfreeze` against real frozen states on isolated servers
 * (issue 11, "Frozen → healthy within 10 s"): a stopped job, output held by
 * XOFF and a stopped server each become healthy again without a person,
 * after the configured wait, every step journaled; without the option
 * nothing is touched; the config's per-session list covers only its
 * sessions; a freeze that only a destructive rung could fix is left alone
 * and journaled as a person's call.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStat } from '../../sessions/proc/facts.js';
import { stopAJob } from '../helpers/frozen-job.js';
import { count, fastSettings, inProcessDaemons, pid } from '../helpers/in-process-daemon.js';
import { cleanupAfterEach, continuePid } from '../helpers/teardown.js';
import { createTestServer, waitFor, type TestServer } from '../helpers/tmux-server.js';
import { journalOf, journalUntil, startWatch } from '../helpers/watch-daemon.js';

const afterTest = cleanupAfterEach();
const stopped: number[] = [];
afterTest(() => stopped.splice(0).forEach(continuePid));

/** A server with session `work` (and any `more`) at a drawn prompt, killed after the test. */
async function serverWith(...more: string[]): Promise<TestServer> {
  const s = createTestServer();
  afterTest(() => s.kill());
  for (const name of ['work', ...more]) {
    s.tmux('new-session', '-d', '-s', name, '-x', '100', '-y', '30', '-c', s.home);
    await waitFor(() => s.tmux('display', '-p', '-t', name, '#{cursor_x}').trim() !== '0', 10_000, `${name}'s prompt`);
  }
  return s;
}

const AUTO = ['--interval', '0', '--health', '0', '--auto-unfreeze', '--auto-unfreeze-after', '1'];
const ready = (s: TestServer) => journalUntil(s, (e) => e.what === 'save' && e.result === 'ok', 'the first save');

describe('--watch --auto-unfreeze', () => {
  it('resumes a stopped job after the wait, journaling the freeze, the step and the recovery', async () => {
    const s = await serverWith();
    startWatch(s, afterTest, AUTO);
    await ready(s);
    const { sleep } = await stopAJob(s, stopped);
    const [step] = await journalUntil(s, (e) => e.what === 'unfreeze', 'the unfreeze step', 20_000);
    expect(step).toMatchObject({ kind: 'action', result: 'ok', detail: expect.stringMatching(/^work: Resume the stopped job in work:0\.0 \(SIGCONT/) });
    // It waited the configured second: the cause says how long the freeze had lasted.
    expect(Number(/frozen for ([\d.]+) s/.exec(step!.cause ?? '')?.[1])).toBeGreaterThanOrEqual(1);
    expect(readStat(sleep)?.state).not.toBe('T');
    await journalUntil(s, (e) => e.what === 'session-recovered' && e.detail === 'work', 'recovered');
    const whats = (await journalOf(s)).map((e) => e.what);
    expect(whats.indexOf('session-frozen')).toBeLessThan(whats.indexOf('unfreeze'));
  }, 60_000);

  it('releases output held by XOFF (C-q, the tty has ixon)', async () => {
    const s = await serverWith();
    startWatch(s, afterTest, AUTO);
    await ready(s);
    s.tmux('send-keys', '-t', 'work', "stty ixon; sh -c 'i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.05; done'", 'Enter');
    await waitFor(() => s.tmux('capture-pane', '-p', '-t', 'work').includes('tick'), 10_000, 'ticks');
    s.tmux('send-keys', '-t', 'work', 'C-s');
    const [step] = await journalUntil(s, (e) => e.what === 'unfreeze', 'the unfreeze step', 20_000);
    expect(step).toMatchObject({ result: 'ok', detail: expect.stringMatching(/Release flow control in work:0\.0 \(XON/) });
    // Ticking again: the newest tick number keeps growing.
    const tick = () => Math.max(0, ...[...s.tmux('capture-pane', '-p', '-t', 'work').matchAll(/tick (\d+)/g)].map((m) => Number(m[1])));
    const before = tick();
    await waitFor(() => tick() > before + 5, 10_000, 'ticks after the release');
    s.tmux('send-keys', '-t', 'work', 'C-c');
  }, 60_000);

  it('resumes a stopped tmux server', async () => {
    const s = await serverWith();
    startWatch(s, afterTest, AUTO);
    await ready(s);
    const server = pid(s);
    process.kill(server, 'SIGSTOP');
    stopped.push(server);
    const [step] = await journalUntil(s, (e) => e.what === 'unfreeze', 'the unfreeze step', 30_000);
    expect(step).toMatchObject({ result: 'ok', detail: expect.stringMatching(/Resume the tmux server \(SIGCONT to pid \d+\)/) });
    expect(readStat(server)?.state).not.toBe('T');
    expect(s.tmux('display', '-p', '#{session_name}').trim()).toBe('work');
    await journalUntil(s, (e) => e.what === 'server-recovered', 'recovered');
  }, 60_000);

  it('touches nothing when off (the default): the freeze is journaled, the job stays stopped', async () => {
    const s = await serverWith();
    startWatch(s, afterTest, ['--interval', '0', '--health', '1']);
    await ready(s);
    const { sleep } = await stopAJob(s, stopped);
    await journalUntil(s, (e) => e.what === 'session-frozen', 'the freeze journaled');
    await new Promise((r) => setTimeout(r, 4_000));
    expect(readStat(sleep)?.state).toBe('T');
    expect((await journalOf(s)).filter((e) => e.what === 'unfreeze')).toEqual([]);
  }, 60_000);

  it('the config file covers only the sessions it names', async () => {
    const s = await serverWith('other');
    mkdirSync(join(s.home, '.config', 'tsession'), { recursive: true });
    writeFileSync(join(s.home, '.config', 'tsession', 'config.json'), JSON.stringify({ watch: { autoUnfreeze: ['work'], autoUnfreezeAfter: 1 } }));
    startWatch(s, afterTest, ['--interval', '0', '--health', '0']);
    await ready(s);
    const other = await stopAJob(s, stopped, 'other');
    const work = await stopAJob(s, stopped, 'work');
    await journalUntil(s, (e) => e.what === 'unfreeze' && e.result === 'ok', 'work unfrozen', 20_000);
    expect(readStat(work.sleep)?.state).not.toBe('T');
    // Both froze (journaled); only work was acted on, however long other stays frozen.
    await journalUntil(s, (e) => e.what === 'session-frozen' && e.detail === 'other', 'other frozen');
    await new Promise((r) => setTimeout(r, 3_000));
    expect(readStat(other.sleep)?.state).toBe('T');
    expect((await journalOf(s)).filter((e) => e.what === 'unfreeze').map((e) => e.detail?.split(':')[0])).toEqual(['work']);
  }, 60_000);
});

describe('auto-unfreeze never takes a destructive step', () => {
  const daemons = inProcessDaemons();

  it('a job that ignores its input (only an interrupt would help) is journaled for a person and left running', async () => {
    const s = daemons.server();
    s.tmux('new-session', '-d', '-s', 'work', '-x', '100', '-y', '30');
    await waitFor(() => s.tmux('display', '-p', '-t', 'work', '#{cursor_x}').trim() !== '0', 10_000, 'the prompt');
    s.tmux('send-keys', '-t', 'work', 'sleep 1000', 'Enter');
    await waitFor(() => s.tmux('display', '-p', '-t', 'work', '#{pane_current_command}').trim() === 'sleep', 10_000, 'sleep');
    const sleepPid = Number(s.tmux('display', '-p', '-t', 'work', '#{pane_pid}').trim());
    s.tmux('send-keys', '-t', 'work', '-l', 'typed');
    s.tmux('send-keys', '-t', 'work', 'Enter');
    const { entries } = daemons.watch(s, fastSettings({ autoRestore: false, autoUnfreeze: true, autoUnfreezeAfterMs: 500, notReadingAfterMs: 0 }));
    const left = await waitFor(() => entries.find((e) => e.what === 'unfreeze-needs-person'), 20_000, 'left to a person');
    expect(left.detail).toMatch(/^work: pane work:0\.0 is still frozen; .*a person's call/);
    expect(left.evidence).toEqual(expect.arrayContaining(['no gentle step applies', expect.stringMatching(/^left to a person: Interrupt the foreground job/)]));
    expect(count(entries, 'session-frozen')).toBe(1);
    // Once per freeze: later rounds neither act nor say it again.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(count(entries, 'unfreeze')).toBe(0);
    expect(count(entries, 'unfreeze-needs-person')).toBe(1);
    expect(s.tmux('display', '-p', '-t', 'work', '#{pane_current_command}').trim()).toBe('sleep');
    expect(readStat(sleepPid)).not.toBeNull();
  }, 60_000);
});
