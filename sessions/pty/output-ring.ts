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

/** Where a ring starts: an idle shell's ring stays this small (one keeper holds many). */
export const RING_INITIAL_BYTES = 16 * 1024;

/** Bounded output ring with absolute offsets; its buffer grows by doubling up to the capacity. */
export class OutputRing {
  private buf: Buffer;
  /** Total bytes ever pushed: the absolute offset of the next byte. */
  private total = 0;

  constructor(readonly capacity: number = RING_DEFAULT_BYTES) {
    if (!Number.isSafeInteger(capacity) || capacity <= 0) throw new RangeError(`Expected a positive ring capacity, got ${capacity}`);
    this.buf = Buffer.alloc(Math.min(capacity, RING_INITIAL_BYTES));
  }

  /** Bytes of memory the ring holds now. */
  get allocated(): number {
    return this.buf.length;
  }

  /** Absolute offset just past the newest byte. */
  get end(): number {
    return this.total;
  }

  /** Absolute offset of the oldest byte still held. */
  get start(): number {
    return Math.max(0, this.total - this.buf.length);
  }

  push(chunk: Uint8Array): void {
    this.grow(this.total + chunk.length);
    let data = chunk;
    const size = this.buf.length;
    if (data.length >= size) {
      // Only the last `size` bytes can survive; skip straight to them.
      this.total += data.length - size;
      data = data.subarray(data.length - size);
    }
    const at = this.total % size;
    const first = Math.min(data.length, size - at);
    this.buf.set(data.subarray(0, first), at);
    if (first < data.length) this.buf.set(data.subarray(first), 0);
    this.total += data.length;
  }

  /** Make room for `want` bytes in all (up to the capacity), keeping the held bytes at their offsets. */
  private grow(want: number): void {
    const size = this.buf.length;
    if (size >= this.capacity || want <= size) return;
    let next = size;
    while (next < want && next < this.capacity) next *= 2;
    next = Math.min(next, this.capacity);
    // Every held byte moves to its offset modulo the new size (two pieces when it wraps there).
    const held = this.readFrom(this.start);
    const bigger = Buffer.alloc(next);
    const at = held.from % next;
    const first = Math.min(held.data.length, next - at);
    held.data.copy(bigger, at, 0, first);
    if (first < held.data.length) held.data.copy(bigger, 0, first);
    this.buf = bigger;
  }

  /** A copy of the bytes from absolute offset `offset` to the end (at most `maxBytes` of them). */
  readFrom(offset: number, maxBytes = Infinity): RingRead {
    const want = Math.min(Math.max(0, offset), this.total);
    const from = Math.max(want, this.start);
    const length = Math.min(this.total - from, maxBytes);
    const out = Buffer.allocUnsafe(length);
    const size = this.buf.length;
    const at = from % size;
    const first = Math.min(length, size - at);
    this.buf.copy(out, 0, at, at + first);
    if (first < length) this.buf.copy(out, first, 0, length - first);
    return { from, data: out, lost: from - want };
  }
}
