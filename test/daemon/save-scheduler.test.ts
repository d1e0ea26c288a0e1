/**
 * The watch daemon's pure parts and small edges: when saves run, the crash
 * breaker, the journal file, the lock file, and the `--watch` spelling.
 */
import { appendFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { serverDir } from '../../checkpoints/paths.js';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseInterval } from '../../src/cli/commands/watch.js';
import { CrashBreaker } from '../../src/daemon/crash-breaker.js';
import { classifyEnd, describeEnd } from '../../src/daemon/daemon.js';
import { formatEntry, Journal, JOURNAL_FILE, readJournal, readJournalTail } from '../../src/ops/journal.js';
import { SaveScheduler, type Timers } from '../../src/daemon/save-scheduler.js';
import { systemdArg } from '../../src/daemon/systemd-unit.js';
import { endIsCrash } from '../../sessions/tmux/event-feed.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmux-server.js';

/** Timers driven by hand: `advance(ms)` runs what falls due, in order. */
function fakeTimers() {
  let now = 0;
  let seq = 0;
  const due = new Map<number, { at: number; fn: () => void }>();
  const timers: Timers = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = ++seq;
      due.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout: (h) => void due.delete(h as number),
  };
  const advance = async (ms: number) => {
    const end = now + ms;
    for (;;) {
      const next = [...due.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!next) break;
      due.delete(next[0]);
      now = next[1].at;
      next[1].fn();
      await new Promise((r) => setImmediate(r));
    }
    now = end;
    await new Promise((r) => setImmediate(r));
  };
  return { timers, advance, pending: () => due.size };
}

describe('SaveScheduler', () => {
  const schedule = { quietMs: 1_000, maxWaitMs: 5_000, intervalMs: 60_000 };

  it('a burst of notifications becomes one save after the quiet time, with every cause', async () => {
    const t = fakeTimers();
    const runs: { at: number; causes: readonly string[] }[] = [];
    const s = new SaveScheduler(schedule, async (causes) => void runs.push({ at: t.timers.now(), causes }), t.timers);
    s.poke('window-add');
    await t.advance(500);
    s.poke('layout-change');
    s.poke('window-add');
    await t.advance(999);
    expect(runs).toEqual([]);
    await t.advance(1);
    expect(runs).toEqual([{ at: 1_500, causes: ['window-add', 'layout-change'] }]);
  });

  it('a burst that never goes quiet is saved at maxWaitMs after its first notification', async () => {
    const t = fakeTimers();
    const runs: number[] = [];
    const s = new SaveScheduler(schedule, async () => void runs.push(t.timers.now()), t.timers);
    for (let i = 0; i < 30; i++) {
      s.poke('layout-change');
      await t.advance(400);
    }
    expect(runs[0]).toBe(5_000);
    expect(runs[1]).toBe(10_200); // the next burst began at 5,200
  });

  it('saves every intervalMs when nothing is notified, counted from the last save', async () => {
    const t = fakeTimers();
    const runs: [number, string][] = [];
    const s = new SaveScheduler(schedule, async (c) => void runs.push([t.timers.now(), c.join()]), t.timers);
    s.start();
    await t.advance(60_000);
    s.poke('window-add');
    await t.advance(1_000);
    await t.advance(60_000);
    expect(runs).toEqual([
      [60_000, 'interval'],
      [61_000, 'window-add'],
      [121_000, 'interval'],
    ]);
  });

  it('never overlaps saves and keeps going after one fails', async () => {
    const t = fakeTimers();
    let running = 0;
    let most = 0;
    const done: string[] = [];
    const s = new SaveScheduler(
      schedule,
      async (c) => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        if (c.includes('bad')) throw new Error('disk full');
        done.push(c.join());
      },
      t.timers,
    );
    await Promise.all([s.saveNow('bad'), s.saveNow('a'), s.saveNow('b')]);
    expect(most).toBe(1);
    expect(done).toEqual(['a', 'b']);
  });

  it('pause drops the pending burst and the interval; stop waits for the save under way', async () => {
    const t = fakeTimers();
    const runs: string[] = [];
    let release!: () => void;
    const s = new SaveScheduler(
      schedule,
      async (c) => {
        if (c.includes('slow')) await new Promise<void>((r) => (release = r));
        runs.push(c.join());
      },
      t.timers,
    );
    s.start();
    s.poke('window-add');
    void s.pause();
    expect(t.pending()).toBe(0);
    await t.advance(120_000);
    expect(runs).toEqual([]);
    await s.saveNow('while paused');
    expect(runs).toEqual([]);
    s.start();
    void s.saveNow('slow');
    await new Promise((r) => setImmediate(r)); // the save has started: stop waits for it
    let stopped = false;
    const stopping = s.stop().then(() => (stopped = true));
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(runs).toEqual(['slow']);
    s.poke('window-add');
    expect(t.pending()).toBe(0);
  });
});

describe('CrashBreaker', () => {
  it('allows maxRestores crashes within the window, then stays open until old ones age out', () => {
    const b = new CrashBreaker({ maxRestores: 3, windowMs: 600_000 });
    expect([0, 1_000, 2_000].map((at) => b.crashed(at).kind)).toEqual(['restore', 'restore', 'restore']);
    expect(b.crashed(3_000)).toEqual({ kind: 'open', recent: 4, sinceMs: 3_000 });
    expect(b.crashed(600_500).kind).toBe('open'); // 1 s, 2 s, 3 s and 600.5 s are within 10 min
    expect(b.crashed(1_300_000)).toEqual({ kind: 'restore', recent: 1 });
  });
});

describe('feed ends', () => {
  const up = (pid: number) => ({ kind: 'up', pid, sessionIds: ['$0'] }) as const;
  const down = { kind: 'down', message: 'No tmux server' } as const;
  const busy = { kind: 'not-answering', message: 'refuses commands' } as const;
  const exit = (reason: string | null) => ({ kind: 'exit', reason, code: reason ? 1 : 0 }) as const;
  const eof = { kind: 'eof', code: null, stderr: '' } as const;

  it('a crash needs tmux to say so (or no %exit) and the server gone or replaced', () => {
    expect(classifyEnd(exit('server exited unexpectedly'), down, 10)).toBe('crashed');
    expect(classifyEnd(exit('server exited unexpectedly'), up(11), 10)).toBe('crashed'); // a new server already
    expect(classifyEnd(eof, down, 10)).toBe('crashed');
    // Our client was killed, the same server answers: attach again, restore nothing.
    expect(classifyEnd(eof, up(10), 10)).toBe('reattach');
    // kill-server with other clients attached: the server refuses while it exits; never a crash.
    expect(classifyEnd(exit(null), busy, 10)).toBe('recheck');
    expect(classifyEnd(exit(null), down, 10)).toBe('ended');
    expect(classifyEnd(exit(null), up(10), 10)).toBe('reattach');
    expect(classifyEnd(exit('detached'), down, 10)).toBe('ended');
    expect(classifyEnd(eof, busy, 10)).toBe('recheck');
  });

  it('a crash is %exit "server exited unexpectedly" or an end without %exit; kill-server and detach are not', () => {
    expect(endIsCrash({ kind: 'exit', reason: 'server exited unexpectedly', code: 1 })).toBe(true);
    expect(endIsCrash({ kind: 'eof', code: null, stderr: '' })).toBe(true);
    expect(endIsCrash({ kind: 'exit', reason: null, code: 0 })).toBe(false);
    expect(endIsCrash({ kind: 'exit', reason: 'detached', code: 0 })).toBe(false);
    expect(describeEnd({ kind: 'eof', code: 1, stderr: "can't find session: $9\nmore" })).toBe(
      "control client ended without %exit (code 1): can't find session: $9",
    );
  });
});

describe('Journal', () => {
  const dirs: { cleanup(): void }[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));
  const dir = () => {
    const d = tempDir();
    dirs.push(d);
    return d.path;
  };

  it('appends entries in order as 0600 JSON lines and reads them back, skipping torn lines', async () => {
    const d = dir();
    const j = new Journal(d);
    await Promise.all([
      j.append({ kind: 'daemon', what: 'started' }),
      j.append({ kind: 'action', what: 'save', result: 'ok', detail: 'id-1', durationMs: 12.4 }),
      j.append({ kind: 'detected', what: 'server-crashed', evidence: ['control client: %exit server exited unexpectedly'] }),
    ]);
    appendFileSync(join(d, JOURNAL_FILE), '{"at":"x","kind":"action","what"\n[1,2]\n');
    expect(statSync(join(d, JOURNAL_FILE)).mode & 0o777).toBe(0o600);
    const { entries, skipped } = await readJournal(d);
    expect(entries.map((e) => e.what)).toEqual(['started', 'save', 'server-crashed']);
    expect(skipped).toBe(2);
    expect(formatEntry(entries[1]!)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ action {3}save \[ok\] id-1 12 ms$/);
    expect(formatEntry(entries[2]!).split('\n')[1]).toBe('    control client: %exit server exited unexpectedly');
  });

  it('the tail read returns the newest entries in order, from only the end of a large file', async () => {
    const d = dir();
    const j = new Journal(d);
    for (let i = 0; i < 1500; i++) void j.append({ kind: 'action', what: 'save', detail: `n${i}`, evidence: ['x'.repeat(40)] });
    await j.flushed();
    expect(statSync(join(d, JOURNAL_FILE)).size).toBeGreaterThan(64 * 1024);
    const tail = await readJournalTail(d, 100);
    expect(tail.map((e) => e.detail)).toEqual(Array.from({ length: 100 }, (_, i) => `n${1400 + i}`));
    expect(await readJournalTail(join(d, 'missing'), 10)).toEqual([]);
  });

  it('rotates past its size limit and still reads both files in order', async () => {
    const d = dir();
    const j = new Journal(d, 400);
    for (let i = 0; i < 12; i++) await j.append({ kind: 'action', what: 'save', detail: `n${i}` });
    const { entries } = await readJournal(d);
    const numbers = entries.map((e) => Number(e.detail!.slice(1)));
    expect(numbers.at(-1)).toBe(11);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(readFileSync(join(d, JOURNAL_FILE), 'utf8').length).toBeLessThanOrEqual(400);
    expect(numbers.length).toBeLessThan(12); // only one rotated file is kept
  });
});

describe('the command line', () => {
  it('--interval takes seconds, 0 for none, and refuses anything else with one line', () => {
    expect(parseInterval(undefined)).toBe(60_000);
    expect(parseInterval('2.5')).toBe(2_500);
    expect(parseInterval('0')).toBe(0);
    for (const bad of ['-1', '0.5', 'soon', '']) expect(() => parseInterval(bad)).toThrow(/^--interval: expected seconds/);
  });

  it('log and status refuse stray words; an unreadable journal is one line and exit 4', async () => {
    const state = tempDir();
    try {
      const env = { TSESSION_STATE_DIR: state.path };
      for (const cmd of ['log', 'status', '--watch']) {
        const r = await runCli(null, ['-L', 'nowhere', cmd, 'extra'], env, 20_000);
        expect(r, cmd).toMatchObject({ code: 2 });
        expect(r.stderr).toMatch(/^tsession: (log|status|watch) takes no arguments, got "extra"/);
      }
      // A directory where the journal file should be.
      const status = JSON.parse((await runCli(null, ['-L', 'nowhere', 'status', '--json'], env, 20_000)).stdout) as {
        watching: boolean;
        server: { socketPath: string };
      };
      expect(status.watching).toBe(false);
      const dir = serverDir(state.path, status.server.socketPath);
      mkdirSync(join(dir, JOURNAL_FILE), { recursive: true });
      const r = await runCli(null, ['-L', 'nowhere', 'log'], env, 20_000);
      expect(r).toMatchObject({ code: 4, stdout: '' });
      expect(r.stderr).toMatch(/^tsession: Cannot read the journal \S+journal\.jsonl: EISDIR\n$/);
    } finally {
      state.cleanup();
    }
  });

  it('--watch is the watch command wherever it stands, unless another command is named', async () => {
    const opts = await runCli(null, ['--watch', '--interval', 'x'], {}, 20_000);
    expect(opts).toMatchObject({ code: 2, stderr: 'tsession: --interval: expected seconds (a number ≥ 1, or 0 for none), got "x"\n' });
    const named = await runCli(null, ['list', '--watch'], {}, 20_000);
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/^tsession: Unknown option '--watch'.*see tsession list --help\n$/);
    const help = await runCli(null, ['-L', 'x', '--watch', '--help'], {}, 20_000);
    expect(help.stdout).toMatch(/^Usage: tsession watch /);
  });
});

describe('systemd unit', () => {
  it('quotes ExecStart arguments the way systemd reads them', () => {
    expect(systemdArg('/usr/bin/node')).toBe('/usr/bin/node');
    expect(systemdArg('/tmp/tmux-0/my sock')).toBe('"/tmp/tmux-0/my sock"');
    expect(systemdArg('50%$HOME')).toBe('50%%$$HOME');
    expect(systemdArg('a"b\\c\nd')).toBe('"a\\"b\\\\c\\x0ad"');
  });

  it('--print-unit prints a unit running this same watch by socket path, and starts nothing', async () => {
    const r = await runCli(null, ['-L', 'we ird%', '--state-dir', '/tmp/s', '--watch', '--interval', '30', '--auto-restore', '--print-unit'], {}, 20_000);
    expect(r.code).toBe(0);
    const exec = r.stdout.split('\n').find((l) => l.startsWith('ExecStart='))!;
    expect(exec).toMatch(/^ExecStart=\S+node \S+\/dist\/tsession\.cjs -S "\/\S+\/we ird%%" --state-dir \/tmp\/s --watch --interval 30 --auto-restore$/);
    // Without --state-dir the resolved one is written in: systemd does not pass the shell's XDG variables.
    const plain = await runCli(null, ['-L', 'w', '--watch', '--print-unit'], { XDG_STATE_HOME: '/home/u/st', XDG_CONFIG_HOME: '/home/u/cf' }, 20_000);
    expect(plain.stdout).toMatch(/\nExecStart=\S+ \S+ -S \S+\/w --state-dir \/home\/u\/st\/tsession --watch\n/);
    expect(plain.stdout).toContain('\nEnvironment=XDG_CONFIG_HOME=/home/u/cf\n');
    expect(plain.stdout).toContain('\nKillMode=process\n');
    expect(r.stdout).toContain('Description=tsession watch of tmux server -L we ird%%\n');
    expect(r.stdout).toMatch(/\nRestart=on-failure\n[\s\S]*\nRestartPreventExitStatus=2 6\n[\s\S]*\nWantedBy=default.target\n$/);
  });
});
