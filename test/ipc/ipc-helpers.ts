/**
 * Shared pieces of the IPC suites: a private runtime dir per test, a tiny
 * echo server built from the public API, a client that records its states,
 * and raw sockets for hostile peers. No assertions here.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, listen, type ClientOptions, type ClientState, type IpcClient, type IpcServer, type ProtocolInfo, type ServerLogLine, type ServerOptions } from '../../src/ipc/index.js';

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
