/**
 * A Unix-socket server for framed messages: checks the runtime dir, takes
 * over a stale socket, refuses a live one, greets every connection with a
 * hello, answers pings, and contains every failure to the one connection it
 * came from. Non-goals: what messages mean (the handlers say).
 */
import { chmod, lstat, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';

import { PRIVATE_MODES } from '../../checkpoints/paths.js';
import { err, errorMessage, ok, type Result } from '../../checkpoints/result.js';
import { DEFAULT_FRAMED_SOCKET, FramedSocket, MIN_MAX_QUEUED_BYTES, type CloseReason } from './connection.js';
import { errnoOf, ipcError, type IpcError } from './errors.js';
import type { Message, Outgoing } from './frames.js';
import { helloOf, incompatibility, incompatibleOf, IPC_TYPES, parseHello, type Hello, type ProtocolInfo } from './hello.js';
import { checkPathLength, ensureRuntimeDir } from './runtime-dir.js';
import { clearSocketPath } from './socket-path.js';

/** One client connection, as handlers see it. */
export interface Connection {
  /** Unique within this server, for logs and per-client state. */
  readonly id: number;
  /** The client's hello (handlers only ever see greeted connections). */
  readonly peer: Hello;
  /** Queue a message. False when it was dropped (closed, or the client is not reading). */
  send<M extends Outgoing>(msg: M): boolean;
  /** Bytes queued for the client and not yet taken by it. */
  readonly queuedBytes: number;
  /** True between onBackpressure and onDrain: sends are dropped. */
  readonly congested: boolean;
  readonly closed: boolean;
  /** End the connection (after what was queued). */
  close(why?: string): void;
}

/** A handler of one message type; a throw or rejection closes that connection only. */
export type ServerHandler = (msg: Message, conn: Connection) => void | Promise<void>;

/** What happens to a client whose queue goes over its cap. */
export type BackpressurePolicy =
  /** Close it (reason 'backpressure'); it may reconnect and start afresh. */
  | { readonly policy: 'drop' }
  /**
   * Keep it: frames are dropped while congested, `onBackpressure` says so,
   * `onDrain` says it reads again (the PTY host sends a fresh screen there
   * instead of the backlog).
   */
  | { readonly policy: 'notify'; onBackpressure(conn: Connection): void; onDrain(conn: Connection): void };

/** One line for the server's log (JSON lines in the journal): an event and its facts. */
export interface ServerLogLine {
  readonly level: 'info' | 'warn';
  readonly event: 'listening' | 'stale-socket-removed' | 'connection-closed' | 'accept-failed' | 'on-close-threw' | 'closed';
  readonly path: string;
  readonly connection?: number;
  readonly reason?: CloseReason;
}

/** Numbers a server works within. */
export interface ServerLimits {
  readonly maxFrameBytes: number;
  /** Per-connection outgoing queue cap (at least MIN_MAX_QUEUED_BYTES). */
  readonly maxQueuedBytes: number;
  /** A connection that sends no hello within this is closed. */
  readonly helloTimeoutMs: number;
  /** A connection silent this long (clients ping every second) is closed. */
  readonly idleTimeoutMs: number;
}

/** 5 s for a hello, 30 s of silence, the framed-socket caps. */
export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  ...DEFAULT_FRAMED_SOCKET,
  helloTimeoutMs: 5_000,
  idleTimeoutMs: 30_000,
} as const;

/** What a server is told to be. */
export interface ServerOptions {
  /** Our side of the hello. */
  readonly protocol: ProtocolInfo;
  /** One handler per message type. The IPC types (hello, ping, pong, incompatible) are the layer's own. */
  readonly handlers: Readonly<Record<string, ServerHandler>>;
  /** A message of a type without a handler (a newer client's): ignored unless this looks. */
  readonly onUnknown?: ServerHandler;
  /** A client said a compatible hello. */
  readonly onConnect?: (conn: Connection) => void | Promise<void>;
  /** A greeted client's connection ended (not called for ones that never said hello). */
  readonly onClose?: (conn: Connection, reason: CloseReason) => void | Promise<void>;
  /** Default: drop the connection. */
  readonly backpressure?: BackpressurePolicy;
  readonly limits?: Partial<ServerLimits>;
  /** Every closed connection and its reason, the listening and the stale socket taken over: nothing silent. */
  readonly log: (line: ServerLogLine) => void;
}

/** A listening server. */
export interface IpcServer {
  readonly path: string;
  /** The greeted connections now open. */
  connections(): readonly Connection[];
  /** Stop listening, end every connection, remove our socket file. */
  close(): Promise<void>;
}

/**
 * Listen on `socketPath`. Its directory is made 0700 if missing and checked
 * (real directory, ours, 0700); a stale socket there is replaced; a live one
 * is 'already-running'; any other file is 'socket-path-taken'. The socket
 * is 0600. A server must hold a process lock (like the watch daemon's) for
 * as long as it listens: the stale check and the bind are two steps, and
 * closing removes whatever socket is at the path.
 */
export async function listen(socketPath: string, options: ServerOptions): Promise<Result<IpcServer, IpcError>> {
  const limits: ServerLimits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
  if (limits.maxQueuedBytes < MIN_MAX_QUEUED_BYTES) {
    throw new RangeError(`Expected maxQueuedBytes to be at least ${MIN_MAX_QUEUED_BYTES}, got ${limits.maxQueuedBytes}`);
  }
  const tooLong = checkPathLength(socketPath);
  if (tooLong) return err(tooLong);
  const dir = await ensureRuntimeDir(dirname(socketPath));
  if (!dir.ok) return dir;
  const free = await clearSocketPath(socketPath, () => options.log({ level: 'info', event: 'stale-socket-removed', path: socketPath }));
  if (!free.ok) return free;

  const server = createServer();
  const bound = await new Promise<Result<void, IpcError>>((resolve) => {
    server.once('error', (e) => {
      const code = errnoOf(e);
      resolve(err(code === 'EADDRINUSE'
        ? ipcError('already-running', socketPath, `Another server took ${socketPath} a moment ago: it is already running`)
        : ipcError('io', socketPath, `Cannot listen on ${socketPath} (${code})`, code)));
    });
    server.listen(socketPath, () => resolve(ok(undefined)));
  });
  if (!bound.ok) return bound;
  let inode: number;
  try {
    await chmod(socketPath, PRIVATE_MODES.file);
    inode = (await lstat(socketPath)).ino;
  } catch (e) {
    server.close();
    const code = errnoOf(e);
    return err(ipcError('io', socketPath, `Cannot make socket ${socketPath} private (${code})`, code));
  }
  options.log({ level: 'info', event: 'listening', path: socketPath });
  return ok(new Listening(socketPath, server, inode, options, limits));
}

let nextConnectionId = 1;

class Listening implements IpcServer {
  private readonly open = new Set<ServerConnection>();
  private closing: Promise<void> | null = null;

  constructor(
    readonly path: string,
    private readonly server: Server,
    private readonly inode: number,
    private readonly options: ServerOptions,
    private readonly limits: ServerLimits,
  ) {
    server.on('connection', (socket) => this.accept(socket));
    // A listening socket's own errors (EMFILE on accept) must not crash the process.
    server.on('error', (e) => options.log({ level: 'warn', event: 'accept-failed', path, reason: { kind: 'socket-error', message: errorMessage(e) } }));
  }

  connections(): readonly Connection[] {
    return [...this.open].filter((c) => c.greeted);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
      for (const c of [...this.open]) c.framed.finish({ kind: 'local', message: 'the server is closing' });
      await stopped;
      // libuv unlinks the path itself on close (by name, whoever's it is now:
      // hence the lock the doc of listen() asks for); this removes only a
      // socket of ours it left, never one that replaced it.
      try {
        if ((await lstat(this.path)).ino === this.inode) await unlink(this.path);
      } catch {
        // already gone
      }
      this.options.log({ level: 'info', event: 'closed', path: this.path });
    })();
    return this.closing;
  }

  private accept(socket: Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    const conn = new ServerConnection(socket, this.path, this.options, this.limits, (c, reason) => {
      this.open.delete(c);
      this.options.log({ level: reason.kind === 'local' || reason.kind === 'peer-closed' ? 'info' : 'warn', event: 'connection-closed', path: this.path, connection: c.id, reason });
    });
    this.open.add(conn);
  }
}

class ServerConnection implements Connection {
  readonly id = nextConnectionId++;
  readonly framed: FramedSocket;
  private hello: Hello | null = null;
  private readonly helloTimer: NodeJS.Timeout;

  constructor(
    socket: Socket,
    private readonly path: string,
    private readonly options: ServerOptions,
    limits: ServerLimits,
    private readonly ended: (c: ServerConnection, reason: CloseReason) => void,
  ) {
    const backpressure = options.backpressure ?? { policy: 'drop' };
    this.framed = new FramedSocket(
      socket,
      {
        message: (msg) => this.receive(msg),
        congested: () => {
          if (backpressure.policy === 'drop') {
            this.framed.close({ kind: 'backpressure', message: `The client stopped reading: more than ${limits.maxQueuedBytes} bytes queued` });
          } else backpressure.onBackpressure(this);
        },
        drained: () => {
          if (backpressure.policy === 'notify') backpressure.onDrain(this);
        },
        closed: (reason) => {
          clearTimeout(this.helloTimer);
          this.ended(this, reason);
          if (this.hello) this.afterClose(reason);
        },
      },
      limits,
    );
    socket.setTimeout(limits.idleTimeoutMs, () =>
      this.framed.close({ kind: 'idle', message: `Nothing from the client for ${limits.idleTimeoutMs} ms` }),
    );
    this.helloTimer = setTimeout(
      () => this.framed.close({ kind: 'hello-timeout', message: `No hello from the client within ${limits.helloTimeoutMs} ms` }),
      limits.helloTimeoutMs,
    );
    this.helloTimer.unref();
    this.framed.send(helloOf(options.protocol));
  }

  get greeted(): boolean {
    return this.hello !== null;
  }

  get peer(): Hello {
    if (!this.hello) throw new Error('Expected a greeted connection, got one before its hello');
    return this.hello;
  }

  get queuedBytes(): number {
    return this.framed.queuedBytes;
  }

  get congested(): boolean {
    return this.framed.congested;
  }

  get closed(): boolean {
    return this.framed.closed;
  }

  send<M extends Outgoing>(msg: M): boolean {
    return this.framed.send(msg);
  }

  close(why = 'closed by the server'): void {
    this.framed.finish({ kind: 'local', message: why });
  }

  /** The onClose hook, guarded: the connection is gone, so a throw there can only be logged. */
  private afterClose(reason: CloseReason): void {
    const logThrow = (e: unknown) =>
      this.options.log({ level: 'warn', event: 'on-close-threw', path: this.path, connection: this.id, reason: { kind: 'handler-threw', message: `The onClose handler threw: ${errorMessage(e)}` } });
    try {
      const r = this.options.onClose?.(this, reason) as unknown;
      if (r instanceof Promise) r.catch(logThrow);
    } catch (e) {
      logThrow(e);
    }
  }

  private receive(msg: Message): void {
    if (!this.hello) return this.greet(msg);
    switch (msg.type) {
      case IPC_TYPES.ping:
        this.framed.send({ type: IPC_TYPES.pong, seq: msg.seq });
        return;
      case IPC_TYPES.pong:
      case IPC_TYPES.hello:
      case IPC_TYPES.incompatible:
        return;
    }
    const own = Object.hasOwn(this.options.handlers, msg.type);
    const handler = own ? this.options.handlers[msg.type] : this.options.onUnknown;
    if (handler) this.run(own ? `"${msg.type.slice(0, 40)}" handler` : 'onUnknown handler', () => handler(msg, this));
  }

  /** Run a hook of ours; a throw or rejection closes this connection only, naming the hook. */
  private run(name: string, hook: () => void | Promise<void>): void {
    const fail = (e: unknown) => this.framed.close({ kind: 'handler-threw', message: `The ${name} threw: ${errorMessage(e)}` });
    try {
      const r = hook();
      if (r instanceof Promise) r.catch(fail);
    } catch (e) {
      fail(e);
    }
  }

  private greet(msg: Message): void {
    const hello = parseHello(msg);
    if (!hello) {
      this.framed.close({ kind: 'expected-hello', message: `Expected a hello as the first frame, got a ${JSON.stringify(msg.type.slice(0, 40))} frame` });
      return;
    }
    const problem = incompatibility(this.options.protocol, hello);
    if (problem) {
      this.framed.finish({ kind: 'incompatible', message: problem }, incompatibleOf(this.options.protocol, problem));
      return;
    }
    clearTimeout(this.helloTimer);
    this.hello = hello;
    const onConnect = this.options.onConnect;
    if (onConnect) this.run('onConnect handler', () => onConnect(this));
  }
}
