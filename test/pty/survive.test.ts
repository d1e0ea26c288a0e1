/**
 * Shells outlive tsession's own processes. SIGKILL of the host while a
 * session prints a counter: the shell keeps its pid and, once a host is
 * back, the screen's history has every number (no gap). SIGKILL of the
 * keeper too (as a reboot would): the session is revived from its checkpoint
 * in its cwd (or the nearest parent), its screen above a "restored" line,
 * its last command typed and not run.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { savedPtySessions } from '../../src/ops/pty-sessions.js';
import { waitFor } from '../helpers/tmux-server.js';
import { clientTerminal, PROMPT, ptyWorld, type ClientTerminal, type PtyWorld } from './helpers.js';

let world: PtyWorld | undefined;
const clients: ClientTerminal[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.kill();
  await world?.destroy();
  world = undefined;
});

interface Listed {
  name: string;
  kind: string;
  pid: number | null;
  cwd: string | null;
}
const ptyList = async (w: PtyWorld): Promise<Listed[]> => {
  const r = await w.cli(['list', '--json']);
  return (JSON.parse(r.stdout) as { pty: { sessions: Listed[] } | null }).pty?.sessions ?? [];
};

/** Every line of a client's buffer (scrollback and screen) as text. */
function allLines(c: ClientTerminal): string[] {
  const b = c.term.buffer.normal;
  const out: string[] = [];
  for (let y = 0; y < b.length; y++) out.push(b.getLine(y)?.translateToString(true) ?? '');
  return out;
}

describe('host SIGKILL', () => {
  it('the shell keeps its pid and the counter has no gap once the host is back', async () => {
    world = ptyWorld();
    const w = world;
    expect((await w.cli(['new', 'count', '-d', '--', 'bash', '-c', 'i=0; while [ $i -lt 400 ]; do echo n=$i; i=$((i+1)); sleep 0.01; done; sleep 600'])).code).toBe(0);
    const before = (await ptyList(w)).find((s) => s.name === 'count')!;
    expect(before.kind).toBe('running');
    const hostPid = (await w.hostPid())!;
    // Let it count a while, then kill the host mid-stream.
    await new Promise((r) => setTimeout(r, 800));
    process.kill(hostPid, 'SIGKILL');
    await waitFor(async () => (await ptyList(w)).find((s) => s.name === 'count')?.kind === 'host down', 20_000, 'list to say host down');
    // Attaching starts a new host, which adopts the keeper's shell.
    const c = clientTerminal(w, ['attach', 'count']);
    clients.push(c);
    await c.waitForText('n=399', 60_000);
    await c.settle();
    expect(await w.hostPid()).not.toBe(hostPid);
    const after = (await ptyList(w)).find((s) => s.name === 'count')!;
    expect(after.pid).toBe(before.pid);
    const numbers = allLines(c).flatMap((l) => /^n=(\d+)$/.exec(l)?.[1] ?? []).map(Number);
    expect(numbers.at(-1)).toBe(399);
    // Contiguous from the first number the 5,000-line scrollback holds to the last: nothing lost while the host was down.
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + i));
    expect(numbers[0]).toBe(0);
  }, 120_000);
});

describe('everything SIGKILLed (as a reboot)', () => {
  it('revives the session in its cwd with its screen; the last command is typed, not run', async () => {
    world = ptyWorld();
    const w = world;
    const proj = join(w.home, 'proj');
    mkdirSync(join(proj, 'sub'), { recursive: true });
    expect((await w.cli(['new', 'work', '-d', '--cwd', join(proj, 'sub')])).code).toBe(0);
    const a = clientTerminal(w, ['attach', 'work']);
    clients.push(a);
    await a.waitForText(PROMPT);
    a.type('echo marker-$((40+2))\r');
    await a.waitForText('marker-42');
    const ran = join(w.home, 'ran');
    a.type(`touch ${ran}\r`);
    await waitFor(() => existsSync(ran), 10_000, 'the command to run');
    a.type('\x1c');
    await a.exited;
    // A clean stop of the host writes its final checkpoint (the keeper keeps the shell).
    const hostPid = (await w.hostPid())!;
    process.kill(hostPid, 'SIGTERM');
    await waitFor(async () => (await w.hostPid()) === null || !isAlive(hostPid), 15_000, 'the host to stop');
    process.kill((await w.keeperPid())!, 'SIGKILL');
    await waitFor(async () => (await ptyList(w)).find((s) => s.name === 'work')?.kind === 'revivable', 15_000, 'list to say revivable');
    // Shell integration was on without any rc file naming it: the checkpoint knows the last command, trusted by its nonce.
    const saved = (await savedPtySessions(w.stateDir)).find((r) => r.name === 'work')!;
    expect(saved.lastCommand).toMatchObject({ commandLine: `touch ${ran}`, trusted: true, exitCode: 0 });
    expect(saved.cwd).toMatchObject({ path: join(proj, 'sub') });
    rmSync(ran);
    rmSync(join(proj, 'sub'), { recursive: true });

    const b = clientTerminal(w, ['attach', 'work']);
    clients.push(b);
    await b.waitForText(/restored \d{4}-\d\d-\d\d/);
    await b.waitForText(`touch ${ran}`);
    await b.settle(600);
    const text = b.text();
    // The old screen above the line, the note about the cwd below it, the command on the new prompt line.
    expect(text).toContain('marker-42');
    expect(text.indexOf('marker-42')).toBeLessThan(text.indexOf('restored'));
    // The note wraps at 80 columns: read it unwrapped.
    expect(text.replaceAll('\n', '')).toMatch(/cwd ".*sub" is gone; started in .*proj/);
    expect(text.trimEnd().split('\n').at(-1)).toMatch(new RegExp(`[$#] touch ${ran}$`));
    expect(existsSync(ran)).toBe(false);
    const listed = (await ptyList(w)).find((s) => s.name === 'work')!;
    expect(listed.kind).toBe('running');
    expect(listed.cwd).toBe(proj);
  }, 120_000);
});

describe('a power cut (host and keeper SIGKILLed, no final checkpoint)', () => {
  it('output after the last checkpoint comes back from the output log', async () => {
    world = ptyWorld();
    const w = world;
    expect((await w.cli(['new', 'cut', '-d'])).code).toBe(0);
    const a = clientTerminal(w, ['attach', 'cut']);
    clients.push(a);
    await a.waitForText(PROMPT);
    a.type('echo logged-$((6*7))\r');
    await a.waitForText('logged-42');
    // The bytes are in the log file (synced each second), whatever the checkpoints hold.
    const logDir = join(w.storeDir, 'pty-logs');
    await waitFor(() => readdirSync(logDir).some((f) => readFileSync(join(logDir, f), 'latin1').includes('logged-42')), 10_000, 'the output in the log');
    await new Promise((r) => setTimeout(r, 1_100));
    const saved = (await savedPtySessions(w.stateDir)).find((r) => r.name === 'cut')!;
    for (const pid of [await w.hostPid(), await w.keeperPid()]) process.kill(pid!, 'SIGKILL');
    a.kill();
    await waitFor(async () => (await ptyList(w)).find((s) => s.name === 'cut')?.kind === 'revivable', 15_000, 'list to say revivable');

    const b = clientTerminal(w, ['attach', 'cut']);
    clients.push(b);
    await b.waitForText(/restored \d{4}/);
    const text = b.text();
    expect(text).toContain('logged-42');
    expect(text.indexOf('logged-42')).toBeLessThan(text.indexOf('restored'));
    // The checkpoint before the cut had moved on to a new log generation; without the log's replay this fails.
    expect(saved.logGeneration).toBeGreaterThan(0);
  }, 120_000);
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
