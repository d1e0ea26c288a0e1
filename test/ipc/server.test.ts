/**
 * The server against hostile and broken clients, over real Unix sockets:
 * random bytes, an oversized frame, no hello, a future version, thrown
 * handlers, a client that stops reading, 50 clients that come and vanish.
 * Each time the server stays up and a well-behaved client is served.
 */
import { describe, expect, it } from 'vitest';
import { frameHeader, MAX_FRAME_BYTES } from '../../parsers/frame-decoder.js';
import type { Connection, IpcServer, ServerLogLine, ServerOptions } from '../../src/ipc/index.js';
import { cleanupAfterEach } from '../helpers/teardown.js';
import { waitFor } from '../helpers/tmux-server.js';
import { prng } from '../parsers/stream-helpers.js';
import { echoClient, echoServer, rawPeer, runtimeDir } from './ipc-helpers.js';

const cleanup = cleanupAfterEach();

/** An echo server in a fresh runtime dir, closed after the test. */
async function serve(extra: Partial<ServerOptions> = {}): Promise<{ socket: string; server: IpcServer; log: ServerLogLine[] }> {
  const rt = runtimeDir();
  cleanup(rt.cleanup);
  const { server, log } = await echoServer(rt.socket, extra);
  cleanup(() => server.close());
  return { socket: rt.socket, server, log };
}

/** A well-behaved client, proven served by one echo round trip; returns a function proving it again. */
async function goodClient(socket: string): Promise<() => Promise<void>> {
  const { client, echoed } = echoClient(socket);
  cleanup(() => client.close());
  expect((await client.ready).ok).toBe(true);
  let n = 0;
  const roundTrip = async () => {
    const text = `ping ${++n}`;
    expect(client.send({ type: 'echo', text })).toBe(true);
    await waitFor(() => echoed.some((m) => (m as { text?: string }).text === text), 10_000, `echo of "${text}"`);
  };
  await roundTrip();
  return roundTrip;
}

/** The reason the server logged for closing connection `id`. */
const reasonOf = (log: readonly ServerLogLine[], id?: number) =>
  log.filter((l) => l.event === 'connection-closed' && (id === undefined || l.connection === id)).map((l) => l.reason?.kind);

describe('server: a bad client costs only its own connection', () => {
  it('random bytes: that connection is closed with a logged reason; the server and a good client go on', async () => {
    const { socket, server, log } = await serve();
    const served = await goodClient(socket);
    const rand = prng(42);
    for (let k = 0; k < 20; k++) {
      const peer = await rawPeer(socket);
      peer.socket.write(Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 300) }, () => Math.floor(rand() * 256))));
      peer.socket.end();
      await waitFor(() => peer.closed(), 10_000, `random-bytes peer ${k} closed`);
    }
    await served();
    expect(server.connections()).toHaveLength(1);
    const reasons = reasonOf(log).filter((k) => k !== 'peer-closed');
    expect(reasons.length).toBeGreaterThan(0);
    for (const k of reasons) expect(['oversized', 'malformed', 'truncated', 'expected-hello']).toContain(k);
  });

  it('an oversized frame (cap + 1 announced): closed as oversized before its payload comes', async () => {
    const { socket, log } = await serve();
    const served = await goodClient(socket);
    const peer = await rawPeer(socket);
    peer.hello();
    peer.socket.write(frameHeader(MAX_FRAME_BYTES + 1));
    await waitFor(() => peer.closed(), 10_000, 'oversized peer closed');
    await waitFor(() => reasonOf(log).includes('oversized'));
    const line = log.find((l) => l.reason?.kind === 'oversized');
    expect(line).toMatchObject({ level: 'warn', reason: { message: `Expected frames of at most ${MAX_FRAME_BYTES} bytes, got one announcing ${MAX_FRAME_BYTES + 1}` } });
    await served();
  });

  it('a first frame that is not a hello: expected-hello', async () => {
    const { socket, log } = await serve();
    const peer = await rawPeer(socket);
    peer.send({ type: 'echo', text: 'too soon' });
    await waitFor(() => peer.closed(), 10_000, 'peer closed');
    expect(peer.messages.map((m) => m.type)).toEqual(['hello']);
    expect(reasonOf(log)).toEqual(['expected-hello']);
  });

  it('no hello at all: closed after the hello timeout', async () => {
    const { socket, log } = await serve({ limits: { helloTimeoutMs: 200 } });
    const peer = await rawPeer(socket);
    await waitFor(() => peer.closed(), 10_000, 'silent peer closed');
    expect(reasonOf(log)).toEqual(['hello-timeout']);
  });

  it('a throwing handler, sync or async: that connection is closed as handler-threw; others are served', async () => {
    const { socket, log } = await serve();
    const served = await goodClient(socket);
    for (const type of ['boom', 'reject']) {
      const peer = await rawPeer(socket);
      peer.hello();
      peer.send({ type });
      await waitFor(() => peer.closed(), 10_000, `${type} peer closed`);
    }
    expect(reasonOf(log)).toEqual(['handler-threw', 'handler-threw']);
    expect(log.map((l) => l.reason?.message).filter(Boolean)).toEqual([
      'The "boom" handler threw: handler blew up',
      'The "reject" handler threw: async handler blew up',
    ]);
    await served();
  });
});

describe('server: versions', () => {
  it('greets first with its hello, answers pings, and serves a future client whose minimum it meets; unknown types reach onUnknown, not a crash', async () => {
    const unknown: string[] = [];
    const { socket } = await serve({ onUnknown: (msg) => void unknown.push(msg.type) });
    const peer = await rawPeer(socket);
    peer.hello({ protocol: 9, minCompatible: 3, capabilities: ['echo', 'teleport'] });
    peer.send({ type: 'teleport', where: 'mars' });
    peer.send({ type: 'ping', seq: 5 });
    peer.send({ type: 'echo', text: 'still here' });
    await waitFor(() => peer.messages.length >= 3);
    expect(peer.messages).toEqual([
      { type: 'hello', protocol: 3, minCompatible: 2, capabilities: ['echo'] },
      { type: 'pong', seq: 5 },
      { type: 'echoed', text: 'still here' },
    ]);
    expect(unknown).toEqual(['teleport']);
    expect(peer.closed()).toBe(false);
    peer.socket.destroy();
  });

  it('without onUnknown an unknown type is dropped and the connection goes on', async () => {
    const { socket } = await serve();
    const peer = await rawPeer(socket);
    peer.hello();
    peer.send({ type: 'something-new' });
    peer.send({ type: 'echo', text: 'after' });
    await waitFor(() => peer.messages.length >= 2);
    expect(peer.messages[1]).toEqual({ type: 'echoed', text: 'after' });
    peer.socket.destroy();
  });

  it('a future client that needs a newer protocol gets a clear incompatible frame, then the close', async () => {
    const { socket, log } = await serve();
    const peer = await rawPeer(socket);
    peer.hello({ protocol: 9, minCompatible: 5, capabilities: [] });
    await waitFor(() => peer.closed(), 10_000, 'future peer closed');
    expect(peer.messages).toEqual([
      { type: 'hello', protocol: 3, minCompatible: 2, capabilities: ['echo'] },
      {
        type: 'incompatible',
        protocol: 3,
        minCompatible: 2,
        reason: 'Expected a peer that still talks protocol 3, got one needing 5 or newer: this tsession is too old; update it',
      },
    ]);
    expect(reasonOf(log)).toEqual(['incompatible']);
  });
});

describe('server: a client that stops reading', () => {
  const CAP = 256 * 1024;
  const CHUNK = Buffer.alloc(32 * 1024, 0x61);

  /** A raw peer that says hello and then never reads; the server floods it until it gives up or congests. */
  async function flood(extra: Partial<ServerOptions>) {
    let target: Connection | undefined;
    let peakQueued = 0;
    const { socket, server, log } = await serve({
      limits: { maxQueuedBytes: CAP },
      onConnect: (c) => {
        if (c.peer.capabilities.includes('slow')) target = c;
      },
      ...extra,
    });
    const served = await goodClient(socket);
    const peer = await rawPeer(socket);
    peer.hello({ protocol: 3, minCompatible: 2, capabilities: ['slow'] });
    await waitFor(() => target, 10_000, 'the slow client greeted');
    peer.socket.pause();
    // Far more than the kernel's socket buffers and our cap together.
    let dropped = 0;
    for (let i = 0; i < 2_000 && !target!.closed; i++) {
      if (!target!.send({ type: 'output', data: CHUNK })) dropped++;
      peakQueued = Math.max(peakQueued, target!.queuedBytes);
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    return { peer, target: target!, peakQueued, dropped, served, server, log };
  }

  it("policy 'drop' (default): the connection is closed as backpressure with the queue never over its cap; others are served", async () => {
    const { target, peakQueued, served, server, log } = await flood({});
    expect(target.closed).toBe(true);
    expect(peakQueued).toBeLessThanOrEqual(CAP);
    expect(reasonOf(log, target.id)).toEqual(['backpressure']);
    await served();
    expect(server.connections()).toHaveLength(1);
  });

  it("policy 'notify': onBackpressure once, sends dropped while congested, onDrain when it reads again", async () => {
    const events: string[] = [];
    const { peer, target, peakQueued, dropped, served } = await flood({
      backpressure: {
        policy: 'notify',
        onBackpressure: (c) => void events.push(`backpressure ${c.congested}`),
        onDrain: (c) => {
          events.push(`drain ${c.congested}`);
          c.send({ type: 'fresh-screen' });
        },
      },
    });
    expect(target.closed).toBe(false);
    expect(target.congested).toBe(true);
    expect(peakQueued).toBeLessThanOrEqual(CAP);
    expect(dropped).toBeGreaterThan(1_000);
    expect(events).toEqual(['backpressure true']);
    await served();
    peer.socket.resume();
    await waitFor(() => peer.messages.some((m) => m.type === 'fresh-screen'), 20_000, 'the fresh screen after the drain');
    expect(events).toEqual(['backpressure true', 'drain false']);
    expect(target.send({ type: 'output', data: CHUNK })).toBe(true);
    peer.socket.destroy();
  });
});

describe('server: 50 clients connecting and vanishing', () => {
  it('stays up, serves a good client throughout, and ends with only that client', async () => {
    const { socket, server } = await serve({ limits: { helloTimeoutMs: 2_000 } });
    const served = await goodClient(socket);
    const ways = [
      (p: Awaited<ReturnType<typeof rawPeer>>) => p.socket.destroy(),
      (p: Awaited<ReturnType<typeof rawPeer>>) => {
        p.hello();
        p.socket.destroy();
      },
      (p: Awaited<ReturnType<typeof rawPeer>>) => {
        p.hello();
        p.socket.write(Buffer.concat([frameHeader(100), Buffer.from('half')]));
        p.socket.destroy();
      },
      (p: Awaited<ReturnType<typeof rawPeer>>) => {
        p.hello();
        p.send({ type: 'echo', text: 'and gone' });
        p.socket.end();
      },
      (p: Awaited<ReturnType<typeof rawPeer>>) => {
        p.send({ type: 'hello', protocol: 'not a number' });
        p.socket.destroy();
      },
    ];
    for (let round = 0; round < 5; round++) {
      const peers = await Promise.all(Array.from({ length: 10 }, () => rawPeer(socket)));
      peers.forEach((p, i) => ways[(i + round) % ways.length]!(p));
      await served();
    }
    await waitFor(() => server.connections().length === 1, 10_000, 'only the good client left');
    await served();
  });
});

describe('server: hooks that throw', () => {
  it('a throwing onConnect closes that connection; a throwing onClose is logged; the server goes on', async () => {
    const { socket, log } = await serve({
      onConnect: (c) => {
        if (c.peer.capabilities.includes('bad-connect')) throw new Error('connect hook blew up');
      },
      onClose: (c) => {
        if (c.peer.capabilities.includes('bad-close')) throw new Error('close hook blew up');
      },
    });
    const served = await goodClient(socket);
    const a = await rawPeer(socket);
    a.hello({ protocol: 3, minCompatible: 2, capabilities: ['bad-connect'] });
    await waitFor(() => a.closed(), 10_000, 'bad-connect peer closed');
    const b = await rawPeer(socket);
    b.hello({ protocol: 3, minCompatible: 2, capabilities: ['bad-close'] });
    b.send({ type: 'echo', text: 'x' });
    await waitFor(() => b.messages.length >= 2);
    b.socket.destroy();
    await waitFor(() => log.some((l) => l.event === 'on-close-threw'), 10_000, 'the onClose throw logged');
    expect(log.filter((l) => l.reason?.kind === 'handler-threw').map((l) => l.reason?.message)).toEqual([
      'The onConnect handler threw: connect hook blew up',
      'The onClose handler threw: close hook blew up',
    ]);
    await served();
  });
});

describe('server: idle connections', () => {
  it('closes a greeted connection silent past the idle timeout; a pinging client stays', async () => {
    // Three ping intervals of margin, so a loaded machine does not close the pinging client.
    const { socket, server, log } = await serve({ limits: { idleTimeoutMs: 3_000 } });
    const { client } = echoClient(socket);
    cleanup(() => client.close());
    expect((await client.ready).ok).toBe(true);
    const peer = await rawPeer(socket);
    peer.hello();
    await waitFor(() => peer.closed(), 10_000, 'the silent peer closed');
    expect(reasonOf(log)).toEqual(['idle']);
    expect(client.state).toBe('connected');
    expect(server.connections()).toHaveLength(1);
  });
});
