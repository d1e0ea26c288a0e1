/**
 * Streaming decoder for IPC frames: a 4-byte big-endian length, then that
 * many payload bytes, chunks split anywhere. Not a message codec: payloads
 * come out as bytes (src/ipc/frames.ts decodes them); no I/O.
 */
import { pickLimit } from './limits.js';

/** Bytes of the length prefix in front of every frame. */
export const FRAME_HEADER_BYTES = 4;

/**
 * Largest payload a frame may announce. A screen with its scrollback is a
 * few MiB at most; anything bigger is a broken or hostile peer, and the cap
 * bounds what one connection can make us hold.
 */
export const MAX_FRAME_BYTES = 8 * 1024 * 1024;

/** Limits accepted by the frame decoder. */
export interface FrameDecoderLimits {
  readonly maxFrameBytes: number;
}

/** Defaults for the frame decoder. */
export const DEFAULT_FRAME_LIMITS: FrameDecoderLimits = { maxFrameBytes: MAX_FRAME_BYTES } as const;

/** What the decoder yields: a whole payload, or why the stream cannot go on. */
export type FrameEvent =
  | { readonly type: 'frame'; readonly payload: Uint8Array }
  /** A length over the cap: the decoder refuses further input until reset. */
  | { readonly type: 'error'; readonly kind: 'oversized'; readonly length: number; readonly limit: number }
  /** flush() with a frame still incomplete: how many bytes it announced and how many came. */
  | { readonly type: 'error'; readonly kind: 'truncated'; readonly expected: number; readonly received: number };

/** Counters of a frame decoder. */
export interface FrameDecoderStats {
  readonly bytes: number;
  readonly frames: number;
  /** Bytes held for the frame in flight (header included). */
  readonly pendingBytes: number;
  /** Largest `pendingBytes` seen. */
  readonly peakPendingBytes: number;
  /** Largest payload buffer allocated: the memory-bound evidence (at most twice what came, never above the cap). */
  readonly peakBufferBytes: number;
  /** Bytes pushed after an oversized frame, ignored. */
  readonly refusedBytes: number;
  /** True after an oversized frame, until reset(). */
  readonly failed: boolean;
}

/** One stream's frame decoder, shaped like the marker parser. */
export interface FrameDecoder {
  /**
   * Feed the next chunk; returns the frames it completed, in order. A payload
   * may be a view into `chunk` (no copy when a frame lies inside one chunk):
   * do not mutate the chunk while the payload is in use.
   */
  push(chunk: Uint8Array): readonly FrameEvent[];
  /** End of stream: an incomplete frame is reported as 'truncated' and dropped. */
  flush(): readonly FrameEvent[];
  /** Back to the initial state: nothing in flight, counters zero, not failed. */
  reset(): void;
  stats(): FrameDecoderStats;
}

/** Create a frame decoder. Throws only on a bad limit; never on input. */
export function createFrameDecoder(options: { readonly limits?: Partial<FrameDecoderLimits> } = {}): FrameDecoder {
  return new StreamingFrameDecoder(
    pickLimit('maxFrameBytes', options.limits?.maxFrameBytes, DEFAULT_FRAME_LIMITS.maxFrameBytes),
  );
}

/** The 4-byte big-endian length prefix for a payload of `length` bytes. */
export function frameHeader(length: number): Uint8Array {
  const h = new Uint8Array(FRAME_HEADER_BYTES);
  h[0] = (length >>> 24) & 0xff;
  h[1] = (length >>> 16) & 0xff;
  h[2] = (length >>> 8) & 0xff;
  h[3] = length & 0xff;
  return h;
}

// First allocation for a payload that spans chunks; it doubles from here.
// Big enough that a frame of one 64 KiB terminal read (plus its fields) is
// allocated once; small enough that a peer announcing 8 MiB and sending one
// byte costs little.
const INITIAL_PAYLOAD_BYTES = 256 * 1024;

const NO_EVENTS: readonly FrameEvent[] = Object.freeze([]);

// Decoder states, kept in a field so a chunk boundary can fall anywhere.
const HEADER = 0; // collecting the 4 length bytes
const PAYLOAD = 1; // collecting `length` payload bytes
const FAILED = 2; // an oversized frame was announced: refuse everything

class StreamingFrameDecoder implements FrameDecoder {
  private state = HEADER;
  private headerLen = 0;
  private length = 0;
  /** The payload in flight; grows with the bytes that came, never at the announced size up front. */
  private buf: Uint8Array | null = null;
  private got = 0;

  private nBytes = 0;
  private nFrames = 0;
  private nRefused = 0;
  private peak = 0;
  private peakBuffer = 0;

  constructor(private readonly cap: number) {}

  push(chunk: Uint8Array): readonly FrameEvent[] {
    const n = chunk.length;
    this.nBytes += n;
    if (this.state === FAILED) {
      this.nRefused += n;
      return NO_EVENTS;
    }
    let out: FrameEvent[] | null = null;
    let i = 0;
    while (i < n) {
      if (this.state === HEADER) {
        // The common case: a whole header and payload inside this chunk, no copy.
        if (this.headerLen === 0 && n - i >= FRAME_HEADER_BYTES) {
          const length = ((chunk[i]! << 24) | (chunk[i + 1]! << 16) | (chunk[i + 2]! << 8) | chunk[i + 3]!) >>> 0;
          if (length > this.cap) return this.fail(out, length, n - i - FRAME_HEADER_BYTES);
          i += FRAME_HEADER_BYTES;
          if (n - i >= length) {
            (out ??= []).push({ type: 'frame', payload: chunk.subarray(i, i + length) });
            this.nFrames++;
            i += length;
            continue;
          }
          this.startPayload(length);
          continue;
        }
        this.length = ((this.length << 8) | chunk[i++]!) >>> 0;
        this.headerLen++;
        this.notePending();
        if (this.headerLen < FRAME_HEADER_BYTES) continue;
        if (this.length > this.cap) return this.fail(out, this.length, n - i);
        this.startPayload(this.length);
        if (this.length === 0) out = this.finish(out);
        continue;
      }
      // PAYLOAD: copy what this chunk has of it.
      const take = Math.min(n - i, this.length - this.got);
      if (this.buf === null || this.buf.length < this.got + take) this.grow(this.got + take);
      this.buf!.set(chunk.subarray(i, i + take), this.got);
      this.got += take;
      i += take;
      this.notePending();
      if (this.got === this.length) out = this.finish(out);
    }
    return out ?? NO_EVENTS;
  }

  flush(): readonly FrameEvent[] {
    if (this.state === FAILED || (this.state === HEADER && this.headerLen === 0)) return NO_EVENTS;
    const event: FrameEvent =
      this.state === HEADER
        ? { type: 'error', kind: 'truncated', expected: FRAME_HEADER_BYTES, received: this.headerLen }
        : { type: 'error', kind: 'truncated', expected: FRAME_HEADER_BYTES + this.length, received: FRAME_HEADER_BYTES + this.got };
    this.toHeader();
    return [event];
  }

  reset(): void {
    this.toHeader();
    this.nBytes = 0;
    this.nFrames = 0;
    this.nRefused = 0;
    this.peak = 0;
    this.peakBuffer = 0;
  }

  stats(): FrameDecoderStats {
    return {
      bytes: this.nBytes,
      frames: this.nFrames,
      pendingBytes: this.pending(),
      peakPendingBytes: this.peak,
      peakBufferBytes: this.peakBuffer,
      refusedBytes: this.nRefused,
      failed: this.state === FAILED,
    };
  }

  private startPayload(length: number): void {
    this.state = PAYLOAD;
    this.headerLen = FRAME_HEADER_BYTES;
    this.length = length;
    this.got = 0;
    this.buf = null;
  }

  private finish(out: FrameEvent[] | null): FrameEvent[] {
    const payload = this.buf ?? new Uint8Array(0);
    this.nFrames++;
    this.toHeader();
    (out ??= []).push({ type: 'frame', payload });
    return out;
  }

  /**
   * Room for `need` bytes: doubling, never beyond the announced length. A peer
   * that announces 8 MiB and sends one byte costs 256 KiB, not 8 MiB.
   */
  private grow(need: number): void {
    const size = Math.min(this.length, Math.max(need, INITIAL_PAYLOAD_BYTES, (this.buf?.length ?? 0) * 2));
    const next = new Uint8Array(size);
    if (this.buf !== null) next.set(this.buf.subarray(0, this.got));
    this.buf = next;
    if (size > this.peakBuffer) this.peakBuffer = size;
  }

  private fail(out: FrameEvent[] | null, length: number, rest: number): readonly FrameEvent[] {
    this.toHeader();
    this.state = FAILED;
    this.nRefused += rest;
    (out ??= []).push({ type: 'error', kind: 'oversized', length, limit: this.cap });
    return out;
  }

  private toHeader(): void {
    this.state = HEADER;
    this.headerLen = 0;
    this.length = 0;
    this.got = 0;
    this.buf = null;
  }

  private pending(): number {
    if (this.state === HEADER) return this.headerLen;
    if (this.state === PAYLOAD) return FRAME_HEADER_BYTES + this.got;
    return 0;
  }

  private notePending(): void {
    const p = this.pending();
    if (p > this.peak) this.peak = p;
  }
}
