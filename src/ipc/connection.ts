/**
 * One framed socket, shared by the server's connections and the client:
 * bytes in through the frame decoder and the codec, messages out through a
 * bounded queue, and one close with one reason. Every way a peer can break
 * the stream ends here as a CloseReason; nothing throws out of a socket event.
 * Non-goals: hellos, heartbeats, reconnects (server.ts and client.ts).
 */
import type { Socket } from 'node:net';

import { createFrameDecoder, MAX_FRAME_BYTES } from '../../parsers/frame-decoder.js';
import { errorMessage } from '../../checkpoints/result.js';
import { decodeMessage, encodeFrame, type Message, type Outgoing } from './frames.js';

/** Why a connection ended. */
export type CloseReasonKind =
  /** The peer closed its end, or the socket reset. */
  | 'peer-closed'
  /** The peer announced a frame over the size cap. */
  | 'oversized'
  /** The stream ended inside a frame. */
  | 'truncated'
  /** A frame that is not a message (not msgpack, no string `type`, not plain data). */
  | 'malformed'
  /** A handler of ours threw on the peer's message. */
  | 'handler-threw'
  /** The first frame was not a hello. */
  | 'expected-hello'
  /** No hello within the time allowed. */
  | 'hello-timeout'
  /** The versions cannot talk (see the incompatible frame). */
  | 'incompatible'
  /** The peer stopped reading and the queue went over its cap (policy 'drop'). */
  | 'backpressure'
  /** Nothing from the peer for too long. */
  | 'idle'
  /** The socket reported an error. */
  | 'socket-error'
  /** We closed it: close() was called, or the server is shutting down. */
  | 'local';

/** Why a connection ended, and the detail a log line needs. */
export interface CloseReason {
  readonly kind: CloseReasonKind;
  readonly message: string;
}

/** Tunables of a framed socket. */
export interface FramedSocketOptions {
  /** Largest frame accepted from the peer. */
  readonly maxFrameBytes: number;
  /** Bytes the outgoing queue may hold before the peer counts as not reading. */
  readonly maxQueuedBytes: number;
}

/** Hooks a framed socket calls; each is called inside a guard. */
export interface FramedSocketHooks {
  message(msg: Message): void | Promise<void>;
  /** The queue went over its cap: frames are dropped until it drains. */
  congested(): void;
  /** The queue drained after congestion: a fresh start can be sent. */
  drained(): void;
  closed(reason: CloseReason): void;
}

/** 4 MiB: a few screens of backlog; past this a client gets a fresh screen instead. */
export const DEFAULT_MAX_QUEUED_BYTES = 4 * 1024 * 1024;

/** Smallest queue cap: below Node's own write buffer mark a drain might never be signalled. */
export const MIN_MAX_QUEUED_BYTES = 64 * 1024;

/** Default framed-socket tunables. */
export const DEFAULT_FRAMED_SOCKET: FramedSocketOptions = {
  maxFrameBytes: MAX_FRAME_BYTES,
  maxQueuedBytes: DEFAULT_MAX_QUEUED_BYTES,
} as const;

/** A socket that speaks frames. */
export class FramedSocket {
  private readonly decoder;
  private isClosed = false;
  private isCongested = false;
  private dropped = 0;

  constructor(
    readonly socket: Socket,
    private readonly hooks: FramedSocketHooks,
    private readonly options: FramedSocketOptions = DEFAULT_FRAMED_SOCKET,
  ) {
    this.decoder = createFrameDecoder({ limits: { maxFrameBytes: options.maxFrameBytes } });
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('end', () => this.end());
    socket.on('drain', () => this.drain());
    socket.on('error', (e) => this.close({ kind: e && (e as NodeJS.ErrnoException).code === 'ECONNRESET' ? 'peer-closed' : 'socket-error', message: errorMessage(e) }));
    socket.on('close', () => this.close({ kind: 'peer-closed', message: 'the peer closed the connection' }));
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get congested(): boolean {
    return this.isCongested;
  }

  /** Bytes written but not yet taken by the peer. */
  get queuedBytes(): number {
    return this.socket.writableLength;
  }

  /** Frames dropped because the queue was over its cap. */
  get droppedFrames(): number {
    return this.dropped;
  }

  /** Queue one message. False when it was dropped: closed, or the peer is not reading. */
  send<M extends Outgoing>(msg: M): boolean {
    if (this.isClosed) return false;
    const frame = encodeFrame(msg);
    if (this.isCongested || this.socket.writableLength + frame.length > this.options.maxQueuedBytes) {
      this.dropped++;
      if (!this.isCongested) {
        this.isCongested = true;
        this.guard('congested', () => this.hooks.congested());
      }
      return false;
    }
    this.socket.write(frame);
    return true;
  }

  /** Send `last` (if any), then end gracefully so it reaches the peer. */
  finish<M extends Outgoing>(reason: CloseReason, last?: M): void {
    if (this.isClosed) return;
    if (last) this.socket.write(encodeFrame(last));
    this.socket.end();
    // A peer that never reads would keep the socket half-open forever.
    setTimeout(() => this.socket.destroy(), 1_000).unref();
    this.close(reason);
  }

  /** Close at once (hostile or broken peer, or we are done). Idempotent: the first reason wins. */
  close(reason: CloseReason): void {
    if (this.isClosed) return;
    this.isClosed = true;
    if (!this.socket.writableEnded) this.socket.destroy();
    this.guard('closed', () => this.hooks.closed(reason), true);
  }

  private receive(chunk: Buffer): void {
    if (this.isClosed) return;
    for (const event of this.decoder.push(chunk)) {
      if (this.isClosed) return;
      if (event.type === 'error') {
        // push() reports only 'oversized'; 'truncated' comes from flush() in end().
        const detail = event.kind === 'oversized' ? `Expected frames of at most ${event.limit} bytes, got one announcing ${event.length}` : 'truncated frame';
        this.close({ kind: 'oversized', message: detail });
        return;
      }
      const decoded = decodeMessage(event.payload);
      if (!decoded.ok) {
        this.close({ kind: 'malformed', message: `Expected a message, got a malformed frame: ${decoded.error.reason}` });
        return;
      }
      this.guard('message', () => this.hooks.message(decoded.message));
    }
  }

  private end(): void {
    const tail = this.decoder.flush()[0];
    if (tail && tail.type === 'error' && tail.kind === 'truncated') {
      this.close({ kind: 'truncated', message: `The peer ended the stream inside a frame (${tail.received} of ${tail.expected} bytes)` });
    } else {
      this.close({ kind: 'peer-closed', message: 'the peer closed the connection' });
    }
  }

  private drain(): void {
    if (!this.isCongested || this.isClosed) return;
    this.isCongested = false;
    this.guard('drained', () => this.hooks.drained());
  }

  /**
   * Run a hook; a throw or a rejected promise closes this connection with
   * the reason, never the process. A throw from `closed` itself is dropped:
   * the connection is already gone and there is nobody left to tell.
   */
  private guard(what: string, run: () => void | Promise<void>, last = false): void {
    const fail = (e: unknown) => {
      if (!last) this.close({ kind: 'handler-threw', message: `The ${what} handler threw: ${errorMessage(e)}` });
    };
    try {
      const result = run();
      if (result instanceof Promise) result.catch(fail);
    } catch (e) {
      fail(e);
    }
  }
}
