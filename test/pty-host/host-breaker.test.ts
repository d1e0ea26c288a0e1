/**
 * The PTY host's crash-loop breaker, for real: a host that cannot start
 * (its output-log directory replaced by a file, a damaged state dir a user
 * could meet) fails at once and says why; after 5 failed starts the next
 * host refuses, commands and the doctor say so in one line, and `tsession
 * log` tells the story; started by hand in a terminal, the host starts
 * anyway. An attached terminal, which starts hosts on its own while it
 * reconnects, stops once the breaker opens and ends with the breaker's line
 * (not its 30 s give-up).
 */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as pty from 'node-pty';
import { afterEach, describe, expect, it } from 'vitest';
import { ptyHostStartsFile, ptyLogDir } from '../../checkpoints/paths.js';
import { CLI } from '../helpers/cli.js';
import { waitFor } from '../helpers/tmux-server.js';
import { clientTerminal, PROMPT, ptyWorld, type ClientTerminal, type PtyWorld } from '../pty/helpers.js';

let world: PtyWorld | undefined;
const clients: ClientTerminal[] = [];
const procs: pty.IPty[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.kill();
  for (const p of procs.splice(0)) {
    try {
      p.kill('SIGKILL');
    } catch {
      // gone
    }
  }
  await world?.destroy();
  world = undefined;
});

interface Line {
  what: string;
  result?: string;
  cause?: string;
  evidence?: string[];
  source: string;
}
const ptyLog = async (w: PtyWorld): Promise<Line[]> =>
  (await w.cli(['log', '--pty', '--json', '-n', '0'])).stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);

/** The screen's lines as written: a line the terminal wrapped is joined back. */
function logicalLines(c: ClientTerminal): string[] {
  const b = c.term.buffer.active;
  const out: string[] = [];
  for (let y = 0; y < b.length; y++) {
    const line = b.getLine(y);
    if (!line) continue;
    const wrapsOn = b.getLine(y + 1)?.isWrapped === true;
    const text = line.translateToString(!wrapsOn);
    if (line.isWrapped && out.length) out[out.length - 1] += text;
    else out.push(text);
  }
  return out;
}

describe('the host crash-loop breaker', () => {
  it('opens after 5 failed starts, each reported at once; a command and the journal say so; a start by hand passes', async () => {
    world = ptyWorld();
    const w = world;
    expect((await w.cli(['new', 'work', '-d'])).code).toBe(0);
    // Every next start fails: the output logs' directory becomes a file.
    rmSync(ptyLogDir(w.stateDir), { recursive: true, force: true });
    writeFileSync(ptyLogDir(w.stateDir), 'not a directory');
    // A clean stop is not a crash.
    const first = (await w.hostPid())!;
    const starts = ptyHostStartsFile(w.stateDir);
    process.kill(first, 'SIGTERM');
    await waitFor(() => !isAlive(first), 20_000, 'the host to stop');

    // Each command starts a host that fails, and says why at once (not after its 20 s wait).
    for (let i = 0; i < 5; i++) {
      const r = await w.cli(['new', `try-${i}`, '-d']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/^tsession: The PTY host could not start: .*pty-logs.*; see \S+host\.log\n$/);
    }
    // The sixth host refuses: the breaker is open.
    const refused = await w.cli(['new', 'other', '-d']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(BREAKER_LINE);
    expect(refused.stderr.split('\n').filter(Boolean)).toHaveLength(1);

    const history = JSON.parse(readFileSync(starts, 'utf8')) as { starts: { pid: number; end?: string; readyAt?: number }[]; refusedAt: number | null };
    expect(statSync(starts).mode & 0o777).toBe(0o600);
    expect(history.starts.find((s) => s.pid === first)).toMatchObject({ end: 'clean', readyAt: expect.any(Number) });
    expect(history.starts.filter((s) => s.end === 'failed')).toHaveLength(5);
    expect(history.refusedAt).not.toBeNull();
    // The next command starts no host at all: the refusal stands.
    const again = await w.cli(['new', 'other', '-d']);
    expect(again.stderr).toMatch(BREAKER_LINE);
    expect((JSON.parse(readFileSync(starts, 'utf8')) as { starts: unknown[] }).starts).toHaveLength(history.starts.length);

    // So does the doctor.
    const doctor = JSON.parse((await w.cli(['doctor', '--json'])).stdout) as { checks: { id: string; status: string; summary: string; fix: string }[] };
    expect(doctor.checks.find((ch) => ch.id === 'pty-host')).toMatchObject({
      status: 'fail',
      summary: expect.stringMatching(/^the PTY host is left down by its crash-loop breaker: 5 failed starts within 60 s/),
      fix: expect.stringMatching(/host\.log .*tsession pty-host in a terminal starts it by hand$/),
    });

    // The journal tells the story: a clean stop, five failed starts, the breaker open with each crash as evidence.
    const log = await ptyLog(w);
    const whats = log.map((l) => l.what);
    expect(log.find((l) => l.what === 'host-stopping')).toMatchObject({ cause: 'SIGTERM', source: 'pty' });
    expect(whats.filter((x) => x === 'host-start-failed')).toHaveLength(5);
    const open = log.filter((l) => l.what === 'host-breaker-open');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ result: 'refused' });
    expect(open[0]!.evidence).toHaveLength(5);
    expect(open[0]!.evidence![0]).toMatch(/pid \d+: could not start — .*pty-logs/);
    expect(whats.indexOf('host-breaker-open')).toBeGreaterThan(whats.lastIndexOf('host-start-failed'));

    // Fixed, and started by hand in a terminal: the breaker lets it through and forgets the crashes.
    rmSync(ptyLogDir(w.stateDir));
    await startByHand(w);
    expect((await w.cli(['new', 'fine', '-d'])).code).toBe(0);
    const after = await ptyLog(w);
    expect(after.filter((l) => l.what === 'host-started').at(-1)).toMatchObject({ evidence: ['started by hand: the crash-loop breaker was reset'] });
    expect((JSON.parse(readFileSync(starts, 'utf8')) as { starts: unknown[] }).starts).toHaveLength(1);
  }, 180_000);

  it('an attached terminal stops starting hosts once the breaker opens, and ends with its line', async () => {
    world = ptyWorld();
    const w = world;
    expect((await w.cli(['new', 'work', '-d'])).code).toBe(0);
    const c = clientTerminal(w, ['attach', 'work']);
    clients.push(c);
    await c.waitForText(PROMPT);
    // Four crashed starts in the last seconds already (so that, on a loaded machine, the terminal needs only two
    // more starts before its own 30 s give-up), and every next start fails.
    const starts = ptyHostStartsFile(w.stateDir);
    const now = Date.now();
    const seeded = JSON.parse(readFileSync(starts, 'utf8')) as { version: 1; starts: { at: number; pid: number; end?: string }[]; refusedAt: null };
    const earlier = [1, 2, 3, 4].map((i) => ({ at: now - 10_000 + i * 1_000, pid: 4_000_000 + i, end: 'failed', reason: 'seeded' }));
    writeFileSync(starts, JSON.stringify({ ...seeded, starts: [...earlier, ...seeded.starts] }));
    rmSync(ptyLogDir(w.stateDir), { recursive: true, force: true });
    writeFileSync(ptyLogDir(w.stateDir), 'not a directory');
    // Killed from outside after it served: not a crash (and it writes nothing more).
    process.kill((await w.hostPid())!, 'SIGKILL');

    // The terminal starts a host (it fails: the fifth crash), the next one refuses, and the terminal ends with the
    // breaker's line instead of spinning to its give-up ("did not come back").
    expect(await c.exited).toBe(1);
    await c.drawn();
    const screen = logicalLines(c).join('\n');
    expect(screen).toMatch(new RegExp(BREAKER_LINE.source.slice(1)));
    const history = JSON.parse(readFileSync(starts, 'utf8')) as { starts: { end?: string; reason?: string }[]; refusedAt: number | null };
    expect(history.starts.filter((s) => s.end === 'failed' && s.reason !== 'seeded')).toHaveLength(1);
    expect(history.refusedAt).not.toBeNull();
  }, 120_000);
});

const BREAKER_LINE = /^tsession: The PTY host failed 5 times at start within 60 s, so it is not started again for \d+ s \(crash-loop breaker\); see \S+host\.log for why, or run tsession pty-host in a terminal to start it by hand/;

/** Run `tsession pty-host` on a terminal (as a person would) until it says it started. */
async function startByHand(w: PtyWorld): Promise<void> {
  const p = pty.spawn(process.execPath, [CLI, 'pty-host'], { cols: 100, rows: 30, cwd: w.home, env: w.env as Record<string, string> });
  procs.push(p);
  let out = '';
  p.onData((d) => (out += d));
  await waitFor(() => out.includes('"event":"started"'), 30_000, 'the host started by hand to say started');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
