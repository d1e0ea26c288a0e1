/**
 * The client over real Unix sockets: reconnect with backoff after the
 * server goes and comes back, "not answering" for a server stopped with
 * SIGSTOP (a child process) and for one that accepts but never answers,
 * and a version the server will not talk to. Needs `npm run build` (the
 * child server runs the built src/ipc).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { backoffDelay, encodeFrame, ensureRuntimeDir, listen, type ClientState, type StateDetail } from '../../src/ipc/index.js';
import { cleanupAfterEach, continuePid, stopChild } from '../helpers/teardown.js';
import { waitFor } from '../helpers/tmux-server.js';
import { ECHO_PROTOCOL, echoClient, echoServer, runtimeDir } from './ipc-helpers.js';

const cleanup = cleanupAfterEach();
const BUILT_IPC = pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'src', 'ipc', 'index.js')).href;

function fresh() {
  const rt = runtimeDir();
  cleanup(rt.cleanup);
  return rt;
}

/** A client that records states with their details and the monotonic time of each. */
function watchedClient(socket: string, extra: Parameters<typeof echoClient>[1] = {}) {
  const seen: { state: ClientState; detail: StateDetail; at: number }[] = [];
  const c = echoClient(socket, { onState: (state, detail) => void seen.push({ state, detail, at: performance.now() }), ...extra });
  cleanup(() => c.client.close());
  return { ...c, seen, states: () => seen.map((s) => s.state) };
}

/** An echo server in a child process (the built code), ready when it prints 'up'. */
/** A server that accepts and never says a word (no hello, no pong); closed after the test. */
async function muteServer(socket: string, dir: string): Promise<void> {
  await ensureRuntimeDir(dir);
  const sockets: Socket[] = [];
  const mute = createServer((s) => void sockets.push(s));
  await new Promise<void>((resolve) => mute.listen(socket, () => resolve()));
  cleanup(() => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    mute.close(() => resolve());
  }));
}

async function childServer(socket: string): Promise<ChildProcess> {
  const code = `
    const { listen } = await import(${JSON.stringify(BUILT_IPC)});
    const r = await listen(${JSON.stringify(socket)}, {
      protocol: ${JSON.stringify(ECHO_PROTOCOL)},
      handlers: { echo: (msg, conn) => void conn.send({ ...msg, type: 'echoed' }) },
      log: () => {},
    });
    if (!r.ok) { console.error(r.error.message); process.exit(2); }
    console.log('up');
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanup(async () => {
    continuePid(child.pid);
    await stopChild(child);
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`Expected the child server to start, got exit ${code}`)));
  });
  return child;
}

describe('client: reconnect', () => {
  it('after the server closes it says reconnecting (with backoff delays), and is connected and served again when a server is back', async () => {
    const rt = fresh();
    const first = await echoServer(rt.socket);
    const { client, echoed, seen, states } = watchedClient(rt.socket, { random: () => 0 });
    expect((await client.ready).ok).toBe(true);
    await first.server.close();
    // Let a few attempts fail so the backoff shows: 50, 100, 200, 400 ms with random 0.
    await waitFor(() => seen.filter((s) => s.state === 'reconnecting').length >= 4, 10_000, 'four reconnect attempts');
    expect(client.send({ type: 'echo', text: 'while down' })).toBe(false);
    const second = await echoServer(rt.socket);
    cleanup(() => second.server.close());
    await waitFor(() => client.state === 'connected', 10_000, 'connected again');
    const delays = seen.filter((s) => s.state === 'reconnecting').map((s) => s.detail.delayMs);
    expect(delays.slice(0, 4)).toEqual([0, 1, 2, 3].map((i) => backoffDelay(i, () => 0)));
    expect(delays.slice(0, 4)).toEqual([50, 100, 200, 400]);
    expect(seen.find((s) => s.state === 'reconnecting')?.detail.reason?.kind).toBe('peer-closed');
    expect(states()[0]).toBe('connected');
    expect(states().at(-1)).toBe('connected');
    expect(client.send({ type: 'echo', text: 'back' })).toBe(true);
    await waitFor(() => echoed.length === 1);
    expect(echoed).toEqual([{ type: 'echoed', text: 'back' }]);
  });

  it('reconnects to a server that was not there yet when it started', async () => {
    const rt = fresh();
    await ensureRuntimeDir(rt.dir);
    const { client, states } = watchedClient(rt.socket);
    await waitFor(() => states().includes('reconnecting'), 10_000, 'a failed first try');
    const { server } = await echoServer(rt.socket);
    cleanup(() => server.close());
    expect((await client.ready).ok).toBe(true);
  });

  it('a server that will not talk to our version: closed for good with kind incompatible, no retry', async () => {
    const rt = fresh();
    const r = await listen(rt.socket, { protocol: { protocol: 1, minCompatible: 1, capabilities: [] }, handlers: {}, log: () => {} });
    if (!r.ok) throw new Error(r.error.message);
    cleanup(() => r.value.close());
    const { client, states } = watchedClient(rt.socket);
    const ready = await client.ready;
    expect(!ready.ok && ready.error.kind).toBe('incompatible');
    expect(!ready.ok && ready.error.message).toMatch(/Expected protocol 2 or newer, got 1/);
    expect(states()).toEqual(['closed']);
  });
});

describe('client: versions and a broken server', () => {
  it('a future client whose minimum the server meets is served; the server\'s unknown types reach onUnknown', async () => {
    const rt = fresh();
    const { server } = await echoServer(rt.socket, { onConnect: (c) => void c.send({ type: 'news-from-the-future' }) });
    cleanup(() => server.close());
    const unknown: string[] = [];
    const { client, echoed } = watchedClient(rt.socket, {
      protocol: { protocol: 7, minCompatible: 3, capabilities: ['echo', 'warp'] },
      onUnknown: (msg) => void unknown.push(msg.type),
    });
    const ready = await client.ready;
    expect(ready.ok && ready.value).toEqual({ type: 'hello', protocol: 3, minCompatible: 2, capabilities: ['echo'] });
    client.send({ type: 'echo', text: 'from 7' });
    await waitFor(() => echoed.length === 1 && unknown.length === 1);
    expect(unknown).toEqual(['news-from-the-future']);
    expect(server.connections()[0]?.peer.capabilities).toEqual(['echo', 'warp']);
  });

  it('a server that sends garbage, or a throwing handler of ours, costs that connection only: the client reconnects', async () => {
    const rt = fresh();
    await ensureRuntimeDir(rt.dir);
    const sockets: Socket[] = [];
    let visits = 0;
    const liar = createServer((s) => {
      sockets.push(s);
      s.on('error', () => {});
      // First visit: a valid hello then a frame announcing 2^32-1 bytes; later: a valid hello, then a 'boom'.
      const hello = encodeFrame({ type: 'hello', ...ECHO_PROTOCOL });
      s.write(++visits === 1 ? Buffer.concat([hello, Buffer.from([0xff, 0xff, 0xff, 0xff])]) : Buffer.concat([hello, encodeFrame({ type: 'boom' })]));
    });
    await new Promise<void>((resolve) => liar.listen(rt.socket, () => resolve()));
    cleanup(() => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      liar.close(() => resolve());
    }));
    const { seen } = watchedClient(rt.socket, {
      handlers: {
        boom: () => {
          throw new Error('our handler blew up');
        },
      },
    });
    await waitFor(() => seen.filter((s) => s.state === 'reconnecting').length >= 2, 10_000, 'two reconnects');
    const reasons = seen.filter((s) => s.state === 'reconnecting').map((s) => s.detail.reason);
    expect(reasons[0]).toMatchObject({ kind: 'oversized' });
    expect(reasons[1]).toEqual({ kind: 'handler-threw', message: 'The "boom" handler threw: our handler blew up' });
  });
});

describe('client: not answering', () => {
  it('a server stopped with SIGSTOP is reported not answering, and connected again after SIGCONT', async () => {
    const rt = fresh();
    await ensureRuntimeDir(rt.dir);
    const child = await childServer(rt.socket);
    const { client, echoed, seen } = watchedClient(rt.socket);
    expect((await client.ready).ok).toBe(true);
    const stoppedAt = performance.now();
    child.kill('SIGSTOP');
    await waitFor(() => client.state === 'not-answering', 15_000, 'not-answering');
    const detected = seen.find((s) => s.state === 'not-answering')!.at - stoppedAt;
    console.log(`SIGSTOP → not-answering: ${Math.round(detected)} ms (heartbeat 1 s × 3)`);
    child.kill('SIGCONT');
    await waitFor(() => client.state === 'connected', 15_000, 'connected after SIGCONT');
    client.send({ type: 'echo', text: 'awake' });
    await waitFor(() => echoed.length === 1);
    // Killed for good: the client goes looking for it.
    await stopChild(child, 'SIGKILL');
    await waitFor(() => client.state === 'reconnecting', 10_000, 'reconnecting after the kill');
  });

  it('our own event loop stalled for 4 s (a stopped or suspended client) is not taken for a silent server', async () => {
    const rt = fresh();
    await ensureRuntimeDir(rt.dir);
    await childServer(rt.socket);
    const { client, states } = watchedClient(rt.socket);
    expect((await client.ready).ok).toBe(true);
    // The server (another process) answers every ping; its pongs wait unread
    // in our socket while this loop is blocked, and timers run before reads.
    const until = performance.now() + 4_000;
    while (performance.now() < until) {
      // blocked on purpose
    }
    await new Promise((r) => setTimeout(r, 1_500));
    expect(states()).toEqual(['connected']);
    expect(client.state).toBe('connected');
  });

  it('a server that accepts but never says a word is reported not answering', async () => {
    const rt = fresh();
    await muteServer(rt.socket, rt.dir);
    const start = performance.now();
    const { client, seen } = watchedClient(rt.socket);
    await waitFor(() => client.state === 'not-answering', 15_000, 'not-answering');
    console.log(`mute server → not-answering: ${Math.round(seen.at(-1)!.at - start)} ms after connect`);
    expect(seen.map((s) => s.state)).toEqual(['not-answering']);
    expect(client.peer).toBeNull();
  });

  it('a one-shot client (no reconnect) gives up on a server that never says hello: not-answering, not a wait forever', async () => {
    const rt = fresh();
    await muteServer(rt.socket, rt.dir);
    const { client, states } = watchedClient(rt.socket, { reconnect: false });
    const r = await client.ready;
    expect(!r.ok && r.error.kind).toBe('not-answering');
    expect(!r.ok && r.error.message).toBe(`${rt.socket} accepted the connection but sent nothing for 3000 ms: the server is stopped or hung`);
    expect(states()).toEqual(['closed']);
  });
});
