/**
 * Shared pieces of the IPC suites: a private runtime dir per test, a tiny
 * echo server built from the public API, a client that records its states,
 * and raw sockets for hostile peers. No assertions here.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFrameDecoder } from '../../parsers/frame-decoder.js';
import { connect, decodeMessage, encodeFrame, helloOf, listen, type Message, type ClientOptions, type ClientState, type IpcClient, type IpcServer, type ProtocolInfo, type ServerLogLine, type ServerOptions } from '../../src/ipc/index.js';

/** The protocol the echo server and its clients speak. */
export const ECHO_PROTOCOL: ProtocolInfo = { protocol: 3, minCompatible: 2, capabilities: ['echo'] };

/** A fresh 0700 runtime dir under the OS temp dir, and a socket path in it. */
export function runtimeDir(): { dir: string; socket: string; cleanup: () => void } {
  // Short: a Unix socket path holds at most 107 bytes.
  const base = mkdtempSync(join(tmpdir(), 'ipc-'));
  const dir = join(base, 'rt');
  chmodSync(base, 0o700);
  return { dir, socket: join(dir, 'echo.sock'), cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

/** An echo server: `echo` is answered with `echoed` carrying the same fields; every log line is kept. */
export async function echoServer(socket: string, extra: Partial<ServerOptions> = {}): Promise<{ server: IpcServer; log: ServerLogLine[] }> {
  const log: ServerLogLine[] = [];
  const r = await listen(socket, {
    protocol: ECHO_PROTOCOL,
    handlers: {
      echo: (msg, conn) => void conn.send({ ...msg, type: 'echoed' }),
      boom: () => {
        throw new Error('handler blew up');
      },
      reject: async () => {
        throw new Error('async handler blew up');
      },
    },
    log: (line) => log.push(line),
    ...extra,
  });
  if (!r.ok) throw new Error(`Expected the echo server to listen, got ${r.error.kind}: ${r.error.message}`);
  return { server: r.value, log };
}

/** A client that keeps every state it went through and every `echoed` message. */
export function echoClient(socket: string, extra: Partial<ClientOptions> = {}): { client: IpcClient; states: ClientState[]; echoed: unknown[] } {
  const states: ClientState[] = [];
  const echoed: unknown[] = [];
  const client = connect(socket, {
    protocol: ECHO_PROTOCOL,
    handlers: { echoed: (msg) => void echoed.push(msg) },
    onState: (s) => void states.push(s),
    ...extra,
  });
  return { client, states, echoed };
}

/** A raw socket to `path`, connected. */
export function rawSocket(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Resolves when `s` is closed by the other side (or errors). */
export function closedBy(s: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (s.destroyed) resolve();
    s.once('close', () => resolve());
  });
}

/** A hand-driven peer: a raw socket that sends frames or bytes and keeps every message it decodes. */
export interface RawPeer {
  readonly socket: Socket;
  readonly messages: Message[];
  /** Set once the other side closed the connection. */
  readonly closed: () => boolean;
  send(msg: { readonly type: string; readonly [k: string]: unknown }): void;
  hello(protocol?: { protocol: number; minCompatible: number; capabilities: string[] }): void;
}

/** Connect a raw peer to `path`. */
export async function rawPeer(path: string): Promise<RawPeer> {
  const socket = await rawSocket(path);
  const decoder = createFrameDecoder();
  const messages: Message[] = [];
  let closed = false;
  socket.on('data', (chunk) => {
    for (const e of decoder.push(chunk)) {
      if (e.type !== 'frame') continue;
      const d = decodeMessage(e.payload);
      if (d.ok) messages.push(d.message);
    }
  });
  socket.on('error', () => {});
  socket.on('close', () => (closed = true));
  return {
    socket,
    messages,
    closed: () => closed,
    send: (msg) => void socket.write(encodeFrame(msg)),
    hello: (p = { ...ECHO_PROTOCOL, capabilities: [...ECHO_PROTOCOL.capabilities] }) => void socket.write(encodeFrame(helloOf(p))),
  };
}
