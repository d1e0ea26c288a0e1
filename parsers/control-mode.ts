/**
 * Streaming decoder for `tmux -C` output (bytes, split anywhere): reply blocks,
 * `%output` unescaped to exact bytes, typed notifications. Not a driver: it
 * sends nothing and does not parse markers inside output (feed `data` to a marker parser).
 */
import type { ControlEvent, ControlModeStats } from './control-events.js';
import { bytesOf, hasPrefix, parseNumber, tokenEnd } from './byte-fields.js';
import { isKnownNotification, parseNotification } from './control-notifications.js';
import { DEFAULT_CONTROL_MODE_LIMITS, pickLimit, type ControlModeLimits } from './limits.js';
import { decodeUtf8 } from './utf8.js';

/** Options of a control-mode decoder. */
export interface ControlModeParserOptions {
  readonly limits?: Partial<ControlModeLimits>;
  /**
   * Allocates the slabs `%output` data is decoded into. Node callers pass
   * `Buffer.allocUnsafeSlow` so `data` is a Buffer, whose memchr-backed
   * `indexOf` the marker parser then uses; the default is `new Uint8Array(size)`.
   * Must return at least `size` bytes.
   */
  readonly allocate?: (size: number) => Uint8Array;
}

/** One control client's decoder, shaped like the marker parser. */
export interface ControlModeParser {
  /** Feed the next chunk; returns completed events in order (a shared frozen empty array when none). */
  push(chunk: Uint8Array): readonly ControlEvent[];
  /** End of stream: a final line without its newline is decoded; an unclosed reply is counted malformed. */
  flush(): readonly ControlEvent[];
  /** Back to the initial state, counters zero. */
  reset(): void;
  stats(): ControlModeStats;
}

/** Create a control-mode decoder. Never throws on input. */
export function createControlModeParser(options: ControlModeParserOptions = {}): ControlModeParser {
  return new StreamingControlModeParser(options);
}

const NO_EVENTS: readonly ControlEvent[] = Object.freeze([]);

const LF = 0x0a;
const PERCENT = 0x25;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

const OUTPUT = bytesOf('%output ');
const EXTENDED_OUTPUT = bytesOf('%extended-output ');
const BEGIN = bytesOf('%begin ');
const END = bytesOf('%end ');
const ERROR = bytesOf('%error ');

// Pane-id strings are cached so a %output line allocates no id string; cleared when this large.
const MAX_CACHED_PANE_IDS = 4096;
const INITIAL_BUFFER_BYTES = 1024;
const RETAINED_CARRY_BYTES = 64 * 1024;
/**
 * `%output` data is decoded into slabs of this size and handed out as views
 * (never overwritten), which saves an allocation per line — the decoder's
 * largest cost after the byte loop itself. A line longer than a slab gets its own.
 */
export const CONTROL_OUTPUT_SLAB_BYTES = 64 * 1024;

/** A DataView over exactly the bytes of `a` (for four-byte reads and writes). */
function viewOf(a: Uint8Array): DataView {
  return new DataView(a.buffer, a.byteOffset, a.byteLength);
}

/** The three numbers of `%begin/%end/%error t n f` starting at `s`, or null. */
function parseGuard(src: Uint8Array, s: number, e: number): [number, number, number] | null {
  const a = tokenEnd(src, s, e);
  const b = tokenEnd(src, a + 1, e);
  if (b >= e) return null;
  const time = parseNumber(src, s, a);
  const number = parseNumber(src, a + 1, b);
  const flags = parseNumber(src, b + 1, e);
  return time < 0 || number < 0 || flags < 0 ? null : [time, number, flags];
}

interface OpenReply {
  readonly time: number;
  readonly number: number;
  readonly flags: number;
  readonly lines: string[];
  bytes: number;
  truncated: boolean;
}

class StreamingControlModeParser implements ControlModeParser {
  private readonly maxLine: number;
  private readonly maxReply: number;

  /** Partial line carried over from the previous chunk. */
  private carry: Uint8Array = new Uint8Array(0);
  private carryLen = 0;
  /** Inside an over-long line: skip to the next newline. */
  private discarding = false;
  private reply: OpenReply | null = null;
  private out: ControlEvent[] | null = null;
  private readonly allocate: (size: number) => Uint8Array;
  /** Current slab for decoded output, and how much of it is handed out. */
  private slab: Uint8Array;
  private slabView: DataView;
  private slabUsed = 0;
  /** DataView of the array lines are being decoded from (the chunk, or the carry buffer). */
  private srcView: DataView | null = null;
  private srcOf: Uint8Array | null = null;
  private paneIds = new Map<number, string>();

  private nBytes = 0;
  private nLines = 0;
  private nOutputs = 0;
  private nOutputBytes = 0;
  private nReplies = 0;
  private nNotifications = 0;
  private nMalformed = 0;
  private nDropped = 0;
  private peakBuffer: number;

  constructor(options: ControlModeParserOptions) {
    this.allocate = options.allocate ?? ((size) => new Uint8Array(size));
    this.slab = this.allocate(CONTROL_OUTPUT_SLAB_BYTES);
    this.slabView = viewOf(this.slab);
    this.peakBuffer = this.slab.length;
    this.maxLine = pickLimit('maxLineBytes', options.limits?.maxLineBytes, DEFAULT_CONTROL_MODE_LIMITS.maxLineBytes);
    this.maxReply = pickLimit('maxReplyBytes', options.limits?.maxReplyBytes, DEFAULT_CONTROL_MODE_LIMITS.maxReplyBytes);
  }

  push(chunk: Uint8Array): readonly ControlEvent[] {
    const n = chunk.length;
    this.nBytes += n;
    this.out = null;
    let i = 0;
    if (this.discarding) {
      const j = chunk.indexOf(LF);
      if (j < 0) return NO_EVENTS;
      this.discarding = false;
      i = j + 1;
    } else if (this.carryLen > 0) {
      const j = chunk.indexOf(LF);
      const end = j < 0 ? n : j;
      if (this.carryLen + end > this.maxLine) {
        this.dropLine();
        this.carryLen = 0;
        if (j < 0) {
          this.discarding = true;
          return NO_EVENTS;
        }
      } else {
        this.appendCarry(chunk, 0, end);
        if (j < 0) return NO_EVENTS;
        const len = this.carryLen;
        this.carryLen = 0;
        this.line(this.carry, 0, len);
        // One long line must not pin a large carry buffer for the client's lifetime.
        if (this.carry.length > RETAINED_CARRY_BYTES) this.carry = new Uint8Array(0);
      }
      i = j + 1;
    }
    while (i < n) {
      const j = chunk.indexOf(LF, i);
      if (j < 0) {
        if (n - i > this.maxLine) {
          this.dropLine();
          this.discarding = true;
        } else this.appendCarry(chunk, i, n);
        break;
      }
      if (j - i > this.maxLine) this.dropLine();
      else this.line(chunk, i, j);
      i = j + 1;
    }
    this.srcOf = this.srcView = null; // do not keep the caller's chunk alive
    const out = this.out;
    this.out = null;
    return out ?? NO_EVENTS;
  }

  flush(): readonly ControlEvent[] {
    this.out = null;
    if (this.carryLen > 0) {
      const len = this.carryLen;
      this.carryLen = 0;
      this.line(this.carry, 0, len);
    }
    this.discarding = false;
    if (this.reply) {
      this.nMalformed++; // the stream ended inside a reply block
      this.reply = null;
    }
    const out = this.out;
    this.out = null;
    return out ?? NO_EVENTS;
  }

  reset(): void {
    this.carry = new Uint8Array(0);
    this.carryLen = 0;
    this.discarding = false;
    this.reply = null;
    this.slab = this.allocate(CONTROL_OUTPUT_SLAB_BYTES);
    this.slabView = viewOf(this.slab);
    this.slabUsed = 0;
    this.srcOf = this.srcView = null;
    this.paneIds.clear();
    this.nBytes = this.nLines = this.nOutputs = this.nOutputBytes = 0;
    this.nReplies = this.nNotifications = this.nMalformed = this.nDropped = 0;
    this.peakBuffer = this.slab.length;
  }

  stats(): ControlModeStats {
    return {
      bytes: this.nBytes,
      lines: this.nLines,
      outputs: this.nOutputs,
      outputBytes: this.nOutputBytes,
      replies: this.nReplies,
      notifications: this.nNotifications,
      malformed: this.nMalformed,
      dropped: this.nDropped,
      bufferBytes: this.carry.length + this.slab.length,
      peakBufferBytes: this.peakBuffer,
    };
  }

  private emit(event: ControlEvent): void {
    (this.out ??= []).push(event);
  }

  private dropLine(): void {
    this.nLines++;
    this.nDropped++;
    if (this.reply) this.reply.truncated = true;
  }

  private appendCarry(src: Uint8Array, s: number, e: number): void {
    const need = this.carryLen + (e - s);
    if (need > this.carry.length) {
      let size = Math.max(INITIAL_BUFFER_BYTES, this.carry.length * 2);
      while (size < need) size *= 2;
      const next = new Uint8Array(Math.min(size, this.maxLine));
      next.set(this.carry.subarray(0, this.carryLen));
      this.carry = next;
      this.notePeak();
    }
    this.carry.set(src.subarray(s, e), this.carryLen);
    this.carryLen = need;
  }

  private notePeak(): void {
    const total = this.carry.length + this.slab.length;
    if (total > this.peakBuffer) this.peakBuffer = total;
  }

  /** One complete line `src[s, e)` (without its newline). */
  private line(src: Uint8Array, s: number, e: number): void {
    this.nLines++;
    if (hasPrefix(src, s, e, OUTPUT)) {
      if (this.output(src, s + OUTPUT.length, e, false)) return;
    } else if (hasPrefix(src, s, e, EXTENDED_OUTPUT)) {
      if (this.output(src, s + EXTENDED_OUTPUT.length, e, true)) return;
    }
    const reply = this.reply;
    if (reply) {
      const isEnd = hasPrefix(src, s, e, END);
      if (isEnd || hasPrefix(src, s, e, ERROR)) {
        // A reply's content is arbitrary text: only all three numbers matching close it.
        const g = parseGuard(src, s + (isEnd ? END.length : ERROR.length), e);
        if (g && g[0] === reply.time && g[1] === reply.number && g[2] === reply.flags) {
          this.reply = null;
          this.nReplies++;
          const { time, number, flags, lines, truncated } = reply;
          this.emit(
            truncated
              ? { type: 'reply', ok: isEnd, time, number, flags, lines, truncated }
              : { type: 'reply', ok: isEnd, time, number, flags, lines },
          );
          return;
        }
      }
      // tmux 3.3 may write a notification (e.g. %pause from refresh-client -A)
      // inside a reply; a line that parses as a known one is taken as one. So a
      // command whose output lines could start with `%<notification> ` (a
      // format beginning with '%') cannot be told apart: do not send one.
      if (src[s] === PERCENT && this.notification(src, s, e, true)) return;
      const size = e - s;
      if (reply.truncated || reply.bytes + size > this.maxReply) {
        if (!reply.truncated) reply.truncated = true;
        this.nDropped++;
        return;
      }
      reply.bytes += size;
      reply.lines.push(decodeUtf8(src, s, e));
      return;
    }
    if (src[s] !== PERCENT) {
      this.nMalformed++; // text outside a reply block: not something tmux -C writes
      return;
    }
    if (hasPrefix(src, s, e, BEGIN)) {
      const g = parseGuard(src, s + BEGIN.length, e);
      if (!g) this.nMalformed++;
      else this.reply = { time: g[0], number: g[1], flags: g[2], lines: [], bytes: 0, truncated: false };
      return;
    }
    if (hasPrefix(src, s, e, END) || hasPrefix(src, s, e, ERROR)) {
      this.nMalformed++; // a guard with no open reply
      return;
    }
    this.notification(src, s, e, false);
  }

  /** `%output` / `%extended-output` from `p` (after the keyword and space); false when malformed. */
  private output(src: Uint8Array, p: number, e: number, extended: boolean): boolean {
    if (src[p] !== PERCENT) return this.malformedOutput();
    const idEnd = tokenEnd(src, p + 1, e);
    const id = parseNumber(src, p + 1, idEnd);
    if (id < 0) return this.malformedOutput();
    let dataStart = idEnd + 1;
    let age = -1;
    if (extended) {
      // `%extended-output %P <age> [reserved …] : <data>`: fields up to a lone ':'.
      const ageEnd = tokenEnd(src, dataStart, e);
      age = parseNumber(src, dataStart, ageEnd);
      if (age < 0) return this.malformedOutput();
      let q = ageEnd + 1;
      for (;;) {
        if (q > e) return this.malformedOutput();
        const t = tokenEnd(src, q, e);
        if (t === q + 1 && src[q] === COLON) {
          dataStart = t + 1;
          break;
        }
        q = t + 1;
      }
    }
    const data = this.unescape(src, dataStart, e);
    let pane = this.paneIds.get(id);
    if (pane === undefined) {
      if (this.paneIds.size >= MAX_CACHED_PANE_IDS) this.paneIds.clear();
      pane = `%${id}`;
      this.paneIds.set(id, pane);
    }
    this.nOutputs++;
    this.nOutputBytes += data.length;
    this.emit(extended ? { type: 'output', pane, data, age } : { type: 'output', pane, data });
    return true;
  }

  private malformedOutput(): boolean {
    // Inside a reply such a line may be content; outside it is broken output.
    if (!this.reply) this.nMalformed++;
    return !this.reply;
  }

  /**
   * Undo tmux's escaping of `src[s, e)`: `\\ooo` (three octal digits) is one byte;
   * tmux escapes only bytes < 0x20 and `\\`, everything else (≥ 0x80 too) is raw.
   * A backslash not followed by three octal digits is kept literally. One
   * byte loop: in coloured output an escape comes every few bytes, where a
   * search call per escape costs more than it skips.
   */
  private unescape(src: Uint8Array, s: number, e: number): Uint8Array {
    if (this.slab.length - this.slabUsed < e - s) {
      this.slab = this.allocate(Math.max(CONTROL_OUTPUT_SLAB_BYTES, e - s));
      this.slabView = viewOf(this.slab);
      this.slabUsed = 0;
      this.notePeak();
    }
    if (src !== this.srcOf) {
      this.srcOf = src;
      this.srcView = viewOf(src);
    }
    const srcView = this.srcView!;
    const out = this.slab;
    const outView = this.slabView;
    const start = this.slabUsed;
    let n = start;
    let i = s;
    const lastEscape = e - 3; // a \ooo must start before this
    while (i < e) {
      // Four bytes per step while none is a backslash: XOR makes a backslash a
      // zero byte, and (x - 0x01010101) & ~x & 0x80808080 is non-zero exactly
      // when some byte of x is zero. Measured ~15% faster than bytewise.
      while (i + 4 <= e) {
        const v = srcView.getUint32(i, true);
        const x = v ^ 0x5c5c5c5c;
        if (((x - 0x01010101) & ~x & 0x80808080) !== 0) break;
        outView.setUint32(n, v, true);
        n += 4;
        i += 4;
      }
      if (i >= e) break;
      let b = src[i]!;
      while (b !== BACKSLASH) {
        out[n++] = b;
        if (++i >= e) break;
        b = src[i]!;
      }
      if (i >= e) break;
      if (i < lastEscape) {
        const d0 = src[i + 1]! - 0x30;
        const d1 = src[i + 2]! - 0x30;
        const d2 = src[i + 3]! - 0x30;
        // All three in 0..7 (a negative value has high bits set), first in 0..3.
        if (((d0 | d1 | d2) & ~7) === 0 && d0 <= 3) {
          out[n++] = (d0 << 6) | (d1 << 3) | d2;
          i += 4;
          continue;
        }
      }
      out[n++] = BACKSLASH;
      i++;
    }
    this.slabUsed = n;
    return out.subarray(start, n);
  }

  /**
   * A `%name …` line: emit its typed event and return true. A known name whose
   * fields do not parse is, inside a reply, content (false); outside one it is
   * kept as a generic notification so newer tmux fields never lose an event.
   */
  private notification(src: Uint8Array, s: number, e: number, inReply: boolean): boolean {
    const nameEnd = tokenEnd(src, s + 1, e);
    const name = decodeUtf8(src, s + 1, nameEnd);
    const known = isKnownNotification(name);
    if (!known && inReply) return false;
    const event = known ? parseNotification(name, src, nameEnd + 1, e) : undefined;
    if (!event) {
      if (inReply) return false;
      if (nameEnd === s + 1) {
        this.nMalformed++; // a bare '%' or '% …' names nothing
        return true;
      }
      this.nNotifications++;
      this.emit({ type: 'notification', name, args: nameEnd < e ? decodeUtf8(src, nameEnd + 1, e) : '' });
      return true;
    }
    this.nNotifications++;
    this.emit(event);
    return true;
  }
}
