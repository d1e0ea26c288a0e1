/**
 * A client of a framed Unix-socket server: hello, heartbeat, reconnect with
 * jittered backoff, and a state a UI can show ("reconnecting…", "not
 * answering"). Checks the runtime dir before every connect. Non-goals: what
 * messages mean, starting the server when nobody listens (the caller's job).
 */
import { createConnection } from 'node:net';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';

import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { DEFAULT_FRAMED_SOCKET, FramedSocket, type CloseReason, type FramedSocketOptions } from './connection.js';
import { errorMessage } from '../../checkpoints/result.js';
import { errnoOf, ipcError, type IpcError } from './errors.js';
import type { Message, Outgoing } from './frames.js';
import { CHECKS_PER_INTERVAL, DEFAULT_HEARTBEAT, Heartbeat, type HeartbeatOptions } from './heartbeat.js';
import { helloOf, incompatibility, incompatibleOf, IPC_TYPES, parseHello, parseIncompatible, type Hello, type ProtocolInfo } from './hello.js';
import { checkPathLength, checkRuntimeDir } from './runtime-dir.js';

/**
 * Where a client is: 'connecting' (first try), 'connected' (hello done,
 * peer answering), 'reconnecting' (lost it, trying again after a backoff),
 * 'not-answering' (connected but silent for the heartbeat's misses),
 * 'closed' (for good: close() was called, or an error a retry cannot fix).
 */
export type ClientState = 'connecting' | 'connected' | 'reconnecting' | 'not-answering' | 'closed';

/** What came with a state change. */
export interface StateDetail {
  /** The server's hello, on 'connected'. */
  readonly peer?: Hello;
  /** Why the connection went, on 'reconnecting' and 'closed'. */
  readonly reason?: CloseReason;
  /** The error that ends the client, on 'closed' (absent after close()). */
  readonly error?: IpcError;
  /** On 'reconnecting': the attempt number (0 first) and its delay. */
  readonly attempt?: number;
  readonly delayMs?: number;
}

/** A handler of one message type; a throw closes this connection (and the client reconnects). */
export type ClientHandler = (msg: Message, client: IpcClient) => void | Promise<void>;

/** What a client is told to be. */
export interface ClientOptions {
  readonly protocol: ProtocolInfo;
  readonly handlers: Readonly<Record<string, ClientHandler>>;
  /** A message of a type without a handler (a newer server's): ignored unless this looks. */
  readonly onUnknown?: ClientHandler;
  /** Every state change, in order. */
  readonly onState?: (state: ClientState, detail: StateDetail) => void;
  /**
   * Try again after a lost or refused connection (default true). False: the
   * first failure closes, and so does a server silent before its hello.
   */
  readonly reconnect?: boolean;
  readonly heartbeat?: Partial<HeartbeatOptions>;
  readonly backoff?: Partial<BackoffOptions>;
  readonly limits?: Partial<FramedSocketOptions>;
  /** Random source for the backoff jitter (tests pass a seeded one). */
  readonly random?: () => number;
}

/** A connected (or connecting) client. */
export interface IpcClient {
  readonly state: ClientState;
  /** The server's hello while connected, else null. */
  readonly peer: Hello | null;
  /** Queue a message. False when it was dropped (not connected, or the server is not reading). */
  send<M extends Outgoing>(msg: M): boolean;
  /** Resolves at the first 'connected' with the server's hello, or with the error that closed the client first. */
  readonly ready: Promise<{ readonly ok: true; readonly value: Hello } | { readonly ok: false; readonly error: IpcError }>;
  /** Close for good: no reconnect. */
  close(): void;
}

/** Connect to `socketPath`. Never throws; failures arrive as states and `ready`'s error. */
export function connect(socketPath: string, options: ClientOptions): IpcClient {
  return new Client(socketPath, options);
}

/** Errors a later try may not see (the server is starting, restarting, or briefly gone). */
const RETRYABLE: ReadonlySet<string> = new Set(['ENOENT', 'ECONNREFUSED', 'EAGAIN', 'ECONNRESET']);

class Client implements IpcClient {
  state: ClientState = 'connecting';
  peer: Hello | null = null;
  readonly ready: IpcClient['ready'];
  private settle!: (r: Awaited<IpcClient['ready']>) => void;

  private framed: FramedSocket | null = null;
  private heartbeat: Heartbeat | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private seq = 0;
  private readonly heartbeatOptions: HeartbeatOptions;
  private readonly backoffOptions: BackoffOptions;
  private readonly socketOptions: FramedSocketOptions;

  constructor(
    private readonly path: string,
    private readonly options: ClientOptions,
  ) {
    this.ready = new Promise((resolve) => (this.settle = resolve));
    this.heartbeatOptions = { ...DEFAULT_HEARTBEAT, ...options.heartbeat };
    this.backoffOptions = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.socketOptions = { ...DEFAULT_FRAMED_SOCKET, ...options.limits };
    void this.open();
  }

  send<M extends Outgoing>(msg: M): boolean {
    return this.peer !== null && this.framed !== null ? this.framed.send(msg) : false;
  }

  close(): void {
    if (this.state === 'closed') return;
    this.end({ reason: { kind: 'local', message: 'closed by the client' } });
  }

  /** One connection attempt. */
  private async open(): Promise<void> {
    const tooLong = checkPathLength(this.path);
    if (tooLong) return this.end({ error: tooLong });
    const dir = await checkRuntimeDir(dirname(this.path));
    if (this.state === 'closed') return;
    if (!dir.ok) {
      if (dir.error.kind === 'not-running') return this.retry(dir.error);
      return this.end({ error: dir.error });
    }
    const socket = createConnection(this.path);
    let connected = false;
    socket.on('error', (e) => {
      if (connected) return; // after 'connect', the framed socket reports errors
      const code = errnoOf(e);
      const error = RETRYABLE.has(code)
        ? ipcError('not-running', this.path, `Nothing listens on ${this.path} (${code})`, code)
        : ipcError('io', this.path, `Cannot connect to ${this.path} (${code})`, code);
      if (RETRYABLE.has(code)) this.retry(error);
      else this.end({ error });
    });
    socket.once('connect', () => {
      connected = true;
      if (this.state === 'closed') {
        socket.destroy();
        return;
      }
      const framed: FramedSocket = new FramedSocket(
        socket,
        {
          message: (msg) => this.receive(framed, msg),
          // A server that stops reading our keystrokes: they are dropped and send() says so.
          congested: () => {},
          drained: () => {},
          closed: (reason) => this.lost(framed, reason),
        },
        this.socketOptions,
      );
      this.framed = framed;
      framed.send(helloOf(this.options.protocol));
      this.startHeartbeat();
    });
  }

  private receive(framed: FramedSocket, msg: Message): void {
    if (framed !== this.framed) return;
    this.heartbeat?.alive(performance.now());
    if (this.state === 'not-answering' && this.peer) this.setState('connected', { peer: this.peer });
    if (!this.peer) return this.greet(framed, msg);
    switch (msg.type) {
      case IPC_TYPES.pong:
      case IPC_TYPES.hello:
        return;
      case IPC_TYPES.ping:
        framed.send({ type: IPC_TYPES.pong, seq: msg.seq });
        return;
      case IPC_TYPES.incompatible:
        return this.refused(msg);
    }
    const own = Object.hasOwn(this.options.handlers, msg.type);
    const handler = own ? this.options.handlers[msg.type] : this.options.onUnknown;
    if (!handler) return;
    const name = own ? `"${msg.type.slice(0, 40)}" handler` : 'onUnknown handler';
    const fail = (e: unknown) => framed.close({ kind: 'handler-threw', message: `The ${name} threw: ${errorMessage(e)}` });
    try {
      const r = handler(msg, this);
      if (r instanceof Promise) r.catch(fail);
    } catch (e) {
      fail(e);
    }
  }

  private greet(framed: FramedSocket, msg: Message): void {
    if (msg.type === IPC_TYPES.incompatible) return this.refused(msg);
    const hello = parseHello(msg);
    if (!hello) {
      framed.close({ kind: 'expected-hello', message: `Expected a hello as the server's first frame, got a ${JSON.stringify(msg.type.slice(0, 40))} frame` });
      return;
    }
    const problem = incompatibility(this.options.protocol, hello);
    if (problem) {
      const error = ipcError('incompatible', this.path, problem);
      return this.end({ error, reason: { kind: 'incompatible', message: problem } }, incompatibleOf(this.options.protocol, problem));
    }
    this.peer = hello;
    this.attempt = 0;
    this.setState('connected', { peer: hello });
    this.settle({ ok: true, value: hello });
  }

  /** The server said it will not talk to us: a retry would hear the same. */
  private refused(msg: Message): void {
    const said = parseIncompatible(msg);
    const why = said ? `the server (protocol ${said.protocol}) refused us: ${said.reason}` : 'the server refused us';
    this.end({ error: ipcError('incompatible', this.path, `Cannot talk to ${this.path}: ${why}`) });
  }

  private lost(framed: FramedSocket, reason: CloseReason): void {
    if (framed !== this.framed) return;
    this.framed = null;
    this.peer = null;
    this.stopHeartbeat();
    if (this.state === 'closed') return;
    this.retry(ipcError('not-running', this.path, `Lost the connection to ${this.path}: ${reason.message}`), reason);
  }

  private retry(error: IpcError, reason?: CloseReason): void {
    if (this.options.reconnect === false) return this.end(reason ? { error, reason } : { error });
    const delayMs = backoffDelay(this.attempt, this.options.random, this.backoffOptions);
    const detail: StateDetail = { attempt: this.attempt, delayMs, ...(reason ? { reason } : {}) };
    this.attempt++;
    this.setState('reconnecting', detail);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.open();
    }, delayMs);
  }

  private startHeartbeat(): void {
    this.heartbeat = new Heartbeat(performance.now(), this.heartbeatOptions);
    this.ping();
    let checks = 0;
    this.ticker = setInterval(() => {
      if (!this.heartbeat) return;
      const verdict = this.heartbeat.check(performance.now());
      if (verdict.notAnswering && !this.peer && this.options.reconnect === false) {
        // A one-shot client (a command, not an attached terminal) must not wait forever on a hung server.
        const silence = this.heartbeatOptions.misses * this.heartbeatOptions.intervalMs;
        return this.end({ error: ipcError('not-answering', this.path, `${this.path} accepted the connection but sent nothing for ${silence} ms: the server is stopped or hung`) });
      }
      if (verdict.notAnswering && this.state !== 'not-answering') this.setState('not-answering', {});
      if (++checks % CHECKS_PER_INTERVAL === 0) this.ping();
    }, this.heartbeatOptions.intervalMs / CHECKS_PER_INTERVAL);
  }

  private ping(): void {
    // Straight to the socket: the hello must go first, but a ping may go before the server's hello comes.
    this.framed?.send({ type: IPC_TYPES.ping, seq: ++this.seq });
  }

  private stopHeartbeat(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    this.heartbeat = null;
  }

  /** Close for good, telling the server `last` first when given. */
  private end(detail: { error?: IpcError; reason?: CloseReason }, last?: Outgoing): void {
    if (this.state === 'closed') return;
    this.stopHeartbeat();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const framed = this.framed;
    this.framed = null;
    this.peer = null;
    const reason = detail.reason ?? { kind: 'local', message: 'closed by the client' };
    if (last) framed?.finish(reason, last);
    else framed?.close(reason);
    this.setState('closed', detail);
    this.settle({ ok: false, error: detail.error ?? ipcError('not-running', this.path, `Closed before connecting to ${this.path}`) });
  }

  private setState(state: ClientState, detail: StateDetail): void {
    if (this.state === state && state !== 'reconnecting') return;
    this.state = state;
    this.options.onState?.(state, detail);
  }
}
