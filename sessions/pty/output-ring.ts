/**
 * A bounded ring of a session's most recent output, addressed by absolute
 * byte offsets since the session started: the keeper holds one per session
 * so a host that restarts can ask for "everything from offset N" and learn
 * exactly how much, if anything, fell off the end. Pure: no I/O.
 */

/** The bytes from an offset, and how many before them the ring no longer holds. */
export interface RingRead {
  /** Absolute offset of `data[0]`. */
  readonly from: number;
  readonly data: Buffer;
  /** Bytes between the asked offset and `from` that were overwritten (0: nothing lost). */
  readonly lost: number;
}

/** Default capacity: enough for a full screen of a busy program many times over. */
export const RING_DEFAULT_BYTES = 1024 * 1024;

/** Bounded output ring with absolute offsets. */
export class OutputRing {
  private readonly buf: Buffer;
  /** Total bytes ever pushed: the absolute offset of the next byte. */
  private total = 0;

  constructor(readonly capacity: number = RING_DEFAULT_BYTES) {
    if (!Number.isSafeInteger(capacity) || capacity <= 0) throw new RangeError(`Expected a positive ring capacity, got ${capacity}`);
    this.buf = Buffer.alloc(capacity);
  }

  /** Absolute offset just past the newest byte. */
  get end(): number {
    return this.total;
  }

  /** Absolute offset of the oldest byte still held. */
  get start(): number {
    return Math.max(0, this.total - this.capacity);
  }

  push(chunk: Uint8Array): void {
    let data = chunk;
    if (data.length >= this.capacity) {
      // Only the last `capacity` bytes can survive; skip straight to them.
      this.total += data.length - this.capacity;
      data = data.subarray(data.length - this.capacity);
    }
    const at = this.total % this.capacity;
    const first = Math.min(data.length, this.capacity - at);
    this.buf.set(data.subarray(0, first), at);
    if (first < data.length) this.buf.set(data.subarray(first), 0);
    this.total += data.length;
  }

  /** A copy of the bytes from absolute offset `offset` to the end (at most `maxBytes` of them). */
  readFrom(offset: number, maxBytes = Infinity): RingRead {
    const want = Math.min(Math.max(0, offset), this.total);
    const from = Math.max(want, this.start);
    const length = Math.min(this.total - from, maxBytes);
    const out = Buffer.allocUnsafe(length);
    const at = from % this.capacity;
    const first = Math.min(length, this.capacity - at);
    this.buf.copy(out, 0, at, at + first);
    if (first < length) this.buf.copy(out, first, 0, length - first);
    return { from, data: out, lost: from - want };
  }
}
