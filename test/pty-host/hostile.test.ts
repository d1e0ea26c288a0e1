/**
 * The host against what it cannot trust: a hostile checkpoint (names, cwds,
 * argv and command lines with `;`, `$(…)` and newlines) revives without
 * running any of it; hostile clients (random bytes, an oversized frame, a
 * future hello, one that stops reading under a flood, 50 that connect and
 * vanish) leave the host up and other sessions answering. A detached
 * program that asks the terminal a question gets its answer.
 */
import { readdirSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ptyHostSocketFile } from '../../checkpoints/paths.js';
import { createCheckpointStore } from '../../checkpoints/store.js';
import type { PtySessionRecord } from '../../checkpoints/schema.js';
import { PROC_IDENTITY } from '../../sessions/proc/liveness.js';
import { createFrameDecoder } from '../../parsers/frame-decoder.js';
import { decodeMessage, encodeFrame } from '../../src/ipc/index.js';
import { HOST_PROTOCOL } from '../../src/pty-host/protocols.js';
import { waitFor } from '../helpers/tmux-server.js';
import { ptyWorld, type PtyWorld } from '../pty/helpers.js';

let world: PtyWorld | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await world?.destroy();
  world = undefined;
});

const peek = async (w: PtyWorld, name: string) => (await w.cli(['peek', name])).stdout;

function raw(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path, () => resolve(s));
    s.on('error', reject);
    // Reading (and dropping) what the host says, so its close is seen; the stuck client pauses itself later.
    s.resume();
    sockets.push(s);
  });
}

const closed = (s: Socket) => new Promise<void>((r) => (s.destroyed ? r() : s.once('close', () => r())));

describe('a hostile checkpoint', () => {
  it('revives without running anything it names', async () => {
    world = ptyWorld();
    const w = world;
    const h = w.home;
    const base = (name: string, over: Partial<PtySessionRecord>): PtySessionRecord => ({
      name,
      incarnation: `gone-${name.length}`,
      argv: ['/bin/bash'],
      isShell: true,
      cwd: { path: h, source: 'osc7' },
      cols: 80,
      rows: 24,
      title: '\x1b]2;evil\x07',
      screen: null,
      lastCommand: null,
      foreground: { kind: 'shell' },
      createdAt: 0,
      process: { state: 'running', pid: 2 ** 22 + 7 },
      outputOffset: 0,
      logGeneration: 0,
      revives: [],
      ...over,
    });
    const store = createCheckpointStore({ dir: w.storeDir, stateDir: w.stateDir, identity: PROC_IDENTITY });
    const records = [
      base('argv', { isShell: false, argv: ['sh', '-c', `touch ${h}/PWNED1; $(touch ${h}/PWNED2)`] }),
      base('cwd', { cwd: { path: `${h}/$(touch ${h}/PWNED3)\n`, source: 'osc7' } }),
      base('line', { lastCommand: { commandLine: `true\ntouch ${h}/PWNED4`, trusted: true, exitCode: 0, durationMs: 1, source: 'osc633-trusted' } }),
      base('fg', { foreground: { kind: 'job', command: 'sh', argv: ['sh', '-c', `touch ${h}/PWNED5`], cwd: null, source: 'proc' } }),
      base('shell', { argv: [`${h}/PWNED6;sh`] }),
      base(`x;touch ${h}/PWNED7`, {}),
    ];
    const written = await store.write({ host: 'x', tmuxVersion: '', tsessionVersion: 'test', server: { socketPath: 'tsession-pty', label: 'PTY sessions' }, sessions: [], ptySessions: records }, { force: true });
    expect(written.ok).toBe(true);
    const listed = JSON.parse((await w.cli(['list', '--json'])).stdout) as { pty: { sessions: { name: string; kind: string }[] } };
    expect(listed.pty.sessions.map((s) => s.kind)).toEqual(Array(6).fill('revivable'));
    // peek starts the host, which revives them.
    await peek(w, 'fg');
    await waitFor(async () => (await peek(w, 'fg')).includes(`touch ${h}/PWNED5`), 15_000, 'the foreground command typed at the prompt');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(readdirSync(h).filter((f) => f.startsWith('PWNED'))).toEqual([]);
    const after = JSON.parse((await w.cli(['list', '--json'])).stdout) as { pty: { hostRunning: boolean; sessions: { name: string; kind: string }[] } };
    expect(after.pty.hostRunning).toBe(true);
    // The invalid name is refused, the rest run a shell and nothing else.
    expect(after.pty.sessions.map((s) => s.name).sort()).toEqual(['argv', 'cwd', 'fg', 'line', 'shell']);
    expect(await peek(w, 'line')).not.toContain('PWNED4');
  });
});

describe('hostile clients', () => {
  it('leave the host up and other sessions unaffected', async () => {
    world = ptyWorld();
    const w = world;
    expect((await w.cli(['new', 'calm', '-d'])).code).toBe(0);
    expect((await w.cli(['new', 'flood', '-d', '--', 'sh', '-c', 'sleep 1; yes flood-flood-flood-flood | head -c 20000000; echo FLOOD-DONE; sleep 600'])).code).toBe(0);
    const hostPid = await w.hostPid();
    const path = ptyHostSocketFile(w.runtimeDir);

    // Random bytes, an oversized frame, a hello from the future: each is closed alone.
    const junk = await raw(path);
    junk.write(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
    await closed(junk);
    const big = await raw(path);
    big.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]));
    await closed(big);
    const future = await raw(path);
    future.write(encodeFrame({ type: 'hello', protocol: 99, minCompatible: 99, capabilities: ['pty-host'] }));
    await closed(future);

    // A client that attaches to the flood and stops reading (what it gets is decoded once it reads again).
    const stuck = await raw(path);
    const decoder = createFrameDecoder();
    const got: string[] = [];
    stuck.on('data', (chunk: Buffer) => {
      for (const e of decoder.push(chunk)) if (e.type === 'frame') {
        const m = decodeMessage(e.payload);
        if (m.ok) got.push(m.message.type);
      }
    });
    stuck.write(encodeFrame({ type: 'hello', ...HOST_PROTOCOL }));
    stuck.write(encodeFrame({ type: 'attach', name: 'flood', cols: 80, rows: 24, readOnly: true }));
    await waitFor(() => got.includes('attached'), 10_000, 'the stuck client to be attached');
    stuck.pause();

    // 50 clients that connect and vanish, some mid-frame.
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const s = await raw(path);
        if (i % 2) s.write(encodeFrame({ type: 'hello', ...HOST_PROTOCOL }).subarray(0, 5));
        s.destroy();
      }),
    );

    // The other session still answers, typing included, while the flood runs and the stuck client sits.
    expect((await w.cli(['peek', 'calm'])).code).toBe(0);
    expect(await w.hostPid()).toBe(hostPid);
    const listed = JSON.parse((await w.cli(['list', '--json'])).stdout) as { pty: { hostRunning: boolean; sessions: { name: string; kind: string }[] } };
    expect(listed.pty.hostRunning).toBe(true);
    expect(listed.pty.sessions.find((s) => s.name === 'calm')?.kind).toBe('running');
    // The flood finishes: neither the mirror nor the stuck client held the program back.
    await waitFor(async () => (await peek(w, 'flood')).includes('FLOOD-DONE'), 90_000, 'the flood to finish');
    expect(await w.hostPid()).toBe(hostPid);
    expect(stuck.destroyed).toBe(false);
    // Reading again, it gets a fresh screen instead of the backlog it missed.
    stuck.resume();
    await waitFor(() => got.includes('redraw'), 20_000, 'a fresh screen for the client that fell behind');
  }, 150_000);
});

describe('queries while no terminal is attached', () => {
  it('a program that asks for the terminal\'s attributes gets an answer from the host', async () => {
    world = ptyWorld();
    const w = world;
    const script = 'printf "\\033[c"; IFS= read -rs -d c -t 10 reply; echo "answered:${#reply}"; sleep 600';
    expect((await w.cli(['new', 'asks', '-d', '--', 'bash', '-c', script])).code).toBe(0);
    await waitFor(async () => /answered:[1-9]/.test(await peek(w, 'asks')), 15_000, 'the DA reply to reach the program');
  });
});
