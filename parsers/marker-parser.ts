/**
 * Streaming shell-integration marker parser: finds OSC sequences in a pane's
 * raw output (chunks split anywhere) and emits marker events in stream order.
 * Not a terminal emulator: CSI/DCS/text are skipped unread; only OSC is parsed.
 */
import type { MarkerDialect, MarkerEvent, MarkerParserStats } from './events.js';
import { DEFAULT_MARKER_LIMITS, pickLimit, type MarkerParserLimits } from './limits.js';
import {
  interpretContext,
  interpretPayload,
  isMarkerOsc,
  MALFORMED,
  MARKER_OSC,
  PREFIX_DECISION_BYTES,
  SKIPPED,
  wantsPayload,
  type InterpretContext,
} from './marker-protocols.js';

/** Options of one pane's marker parser. */
export interface MarkerParserOptions {
  /** The pane's shell-integration nonce; OSC 633 E is trusted only when it carries this. */
  readonly nonce?: string;
  readonly limits?: Partial<MarkerParserLimits>;
}

/** Counters of a marker parser: the shared contract plus buffer accounting. */
export interface MarkerParserStatsFull extends MarkerParserStats {
  /** Bytes currently allocated for the in-flight payload (never above the cap). */
  readonly bufferBytes: number;
  /** Largest `bufferBytes` seen: the memory-bound evidence. */
  readonly peakBufferBytes: number;
}

/** One stream's parser, shaped like Ink's input parser. */
export interface MarkerParser {
  /**
   * Feed the next chunk; returns the events it completed, in stream order.
   * When there are none, a shared frozen empty array is returned (no allocation
   * on the hot path), so callers must not mutate the result.
   */
  push(chunk: Uint8Array): readonly MarkerEvent[];
  /** End of stream: an unterminated sequence is discarded (counted as aborted). Returns no events. */
  flush(): readonly MarkerEvent[];
  /** Back to the initial state: offset 0, counters zero, nothing in flight. */
  reset(): void;
  /** Counters so far. `markers === 0` after enough bytes means raw passthrough. */
  stats(): MarkerParserStatsFull;
}

/** Create a marker parser for one stream (one pane). Never throws on input. */
export function createMarkerParser(options: MarkerParserOptions = {}): MarkerParser {
  return new StreamingMarkerParser(options);
}

const NO_EVENTS: readonly MarkerEvent[] = Object.freeze([]);

const BEL = 0x07;
const CAN = 0x18;
const SUB = 0x1a;
const ESC = 0x1b;
const SEMI = 0x3b;
const OSC_INTRODUCER = 0x5d; // ']': never inside a UTF-8 multi-byte character

// Scanner states, kept in a field so a chunk boundary can fall anywhere.
const GROUND = 0; // text, CSI, anything outside an OSC: jump between ']' bytes
const OSC_ID = 1; // after ESC ]: reading the decimal Ps
const OSC_COLLECT = 2; // a marker OSC: copying its payload
const OSC_SKIP = 3; // an OSC we do not read (title, hyperlink, image): waiting for its end
const OSC_DROP = 4; // a marker OSC over the payload cap: waiting for its end

// Ps numbers longer than this are no OSC we know; stop accumulating them.
const MAX_ID_DIGITS = 5;
// Payload buffer starts small and doubles up to the cap; anything above this
// size is released after the sequence, so 400 idle panes stay small.
const INITIAL_BUFFER_BYTES = 256;
const RETAINED_BUFFER_BYTES = 4096;

class StreamingMarkerParser implements MarkerParser {
  private readonly cap: number;
  /** Fresh buffer size: small, and never above the cap so `len === buf.length === cap` means full. */
  private readonly initialSize: number;
  private readonly ctx: InterpretContext;

  private state = GROUND;
  /** The previous chunk ended with ESC while in GROUND: a leading ']' starts an OSC. */
  private pendingEsc = false;
  private seqStart = 0;
  private id = 0;
  private idDigits = 0;
  /** For OSC 9/1337: null until enough bytes show whether the payload is a marker. */
  private decided: boolean | null = null;
  private buf: Uint8Array;
  private len = 0;

  private nBytes = 0;
  private nSequences = 0;
  private nMalformed = 0;
  private nDropped = 0;
  private nAborted = 0;
  private nMarkers = 0;
  private dialect: MarkerDialect | null = null;
  private peakBuffer: number;

  constructor(options: MarkerParserOptions) {
    this.cap = pickLimit(
      'maxOscPayloadBytes',
      options.limits?.maxOscPayloadBytes,
      DEFAULT_MARKER_LIMITS.maxOscPayloadBytes,
    );
    this.initialSize = Math.min(INITIAL_BUFFER_BYTES, this.cap);
    this.buf = new Uint8Array(this.initialSize);
    this.peakBuffer = this.initialSize;
    this.ctx = interpretContext(options.nonce);
  }

  push(chunk: Uint8Array): readonly MarkerEvent[] {
    const n = chunk.length;
    const base = this.nBytes;
    this.nBytes = base + n;
    let out: MarkerEvent[] | null = null;
    let i = 0;
    while (i < n) {
      const state = this.state;
      if (state === GROUND) {
        if (this.pendingEsc) {
          this.pendingEsc = false;
          if (chunk[0] === OSC_INTRODUCER) {
            this.begin(base - 1);
            i = 1;
            continue;
          }
        }
        // Shells print marker groups back to back (`BEL ESC ] 633;B BEL ESC ] 633;E…`):
        // check for an adjacent ESC ] before paying for a search call.
        if (chunk[i] === ESC && chunk[i + 1] === OSC_INTRODUCER) {
          this.begin(base + i);
          i += 2;
          continue;
        }
        // The fast path: memchr to the next ']' and look one byte back for ESC.
        const j = chunk.indexOf(OSC_INTRODUCER, i);
        if (j < 0) {
          this.pendingEsc = chunk[n - 1] === ESC;
          break;
        }
        if (j > 0 && chunk[j - 1] === ESC) this.begin(base + j - 1);
        i = j + 1;
        continue;
      }

      // Inside an OSC: step byte by byte, with a tight loop per state.
      let k = i;
      if (state === OSC_COLLECT) {
        let len = this.len;
        let buf = this.buf;
        const stop = this.decided === null ? Math.min(n, k + PREFIX_DECISION_BYTES - len) : n;
        while (k < stop) {
          const b = chunk[k]!;
          if (b < 0x20) break;
          if (len === buf.length) {
            if (len === this.cap) break;
            this.len = len; // grow() copies this.len bytes
            buf = this.grow();
          }
          buf[len++] = b;
          k++;
        }
        this.len = len;
        if (k < stop && chunk[k]! >= 0x20) {
          // Over the cap: drop the whole sequence, keep reading until its end.
          this.nDropped++;
          this.state = OSC_DROP;
          this.release();
          i = k;
          continue;
        }
        if (this.decided === null && len >= PREFIX_DECISION_BYTES) {
          this.decided = wantsPayload(this.id, buf, len, false);
          if (!this.decided) this.state = OSC_SKIP;
        }
      } else if (state === OSC_ID) {
        while (k < n) {
          const b = chunk[k]!;
          if (b < 0x20) break;
          k++;
          if (b >= 0x30 && b <= 0x39 && this.idDigits < MAX_ID_DIGITS) {
            this.id = this.id * 10 + (b - 0x30);
            this.idDigits++;
            continue;
          }
          if (b === SEMI && this.idDigits > 0 && isMarkerOsc(this.id)) {
            this.state = OSC_COLLECT;
            this.decided = wantsPayload(this.id, this.buf, 0, false);
          } else this.state = OSC_SKIP;
          break;
        }
        if (this.state !== OSC_ID) {
          i = k;
          continue;
        }
      } else {
        // OSC_SKIP / OSC_DROP: only a terminator matters.
        while (k < n) {
          const b = chunk[k]!;
          if (b < 0x20 && (b === BEL || b === ESC || b === CAN || b === SUB)) break;
          k++;
        }
      }
      i = k;
      if (i >= n) break;
      const b = chunk[i]!;
      if (b >= 0x20) continue; // state changed mid-run (decision made); go on in the new state
      if (b === BEL) {
        out = this.end(out);
        i++;
      } else if (b === ESC) {
        // ESC ends the OSC as in terminals (ESC \ is ST; any other ESC starts a
        // new sequence): leave it for GROUND, which starts an OSC if ']' follows.
        out = this.end(out);
      } else if (b === CAN || b === SUB) {
        if (this.state !== OSC_DROP) this.nAborted++;
        this.toGround();
        i++;
      } else {
        i++; // other C0 controls inside an OSC are ignored, not part of the value
      }
    }
    return out ?? NO_EVENTS;
  }

  flush(): readonly MarkerEvent[] {
    if (this.state !== GROUND && this.state !== OSC_DROP) this.nAborted++;
    this.toGround();
    this.pendingEsc = false;
    return NO_EVENTS;
  }

  reset(): void {
    this.toGround();
    this.pendingEsc = false;
    this.ctx.remoteHost = undefined;
    this.nBytes = 0;
    this.nSequences = 0;
    this.nMalformed = 0;
    this.nDropped = 0;
    this.nAborted = 0;
    this.nMarkers = 0;
    this.dialect = null;
    this.peakBuffer = this.buf.length;
  }

  stats(): MarkerParserStatsFull {
    return {
      bytes: this.nBytes,
      sequences: this.nSequences,
      malformed: this.nMalformed,
      dropped: this.nDropped,
      aborted: this.nAborted,
      markers: this.nMarkers,
      dialect: this.dialect,
      bufferBytes: this.buf.length,
      peakBufferBytes: this.peakBuffer,
    };
  }

  /** ESC ] seen at stream offset `offset`. */
  private begin(offset: number): void {
    this.state = OSC_ID;
    this.seqStart = offset;
    this.id = 0;
    this.idDigits = 0;
    this.len = 0;
    this.decided = null;
    this.nSequences++;
  }

  /** The OSC ended normally (BEL, ST or a lone ESC): interpret it if it is a marker. */
  private end(out: MarkerEvent[] | null): MarkerEvent[] | null {
    const state = this.state;
    let wanted = false;
    if (state === OSC_COLLECT) {
      wanted = (this.decided ?? wantsPayload(this.id, this.buf, this.len, true)) === true;
    } else if (state === OSC_ID && this.idDigits > 0 && isMarkerOsc(this.id)) {
      this.len = 0; // `ESC ] 133 BEL`: a marker number with an empty payload
      wanted = wantsPayload(this.id, this.buf, 0, true) === true;
    }
    if (wanted) {
      const r = interpretPayload(this.id, this.buf, this.len, this.seqStart, this.ctx);
      if (r === MALFORMED) this.nMalformed++;
      else if (r !== SKIPPED) {
        this.nMarkers++;
        if (this.id === MARKER_OSC.vscode) this.dialect = '633';
        else if (this.id === MARKER_OSC.finalTerm && this.dialect === null) this.dialect = '133';
        (out ??= []).push(r);
      }
    }
    this.toGround();
    return out;
  }

  private toGround(): void {
    this.state = GROUND;
    this.len = 0;
    if (this.buf.length > RETAINED_BUFFER_BYTES) this.release();
  }

  private release(): void {
    this.len = 0;
    if (this.buf.length !== this.initialSize) this.buf = new Uint8Array(this.initialSize);
  }

  /** Double the payload buffer, never beyond the cap. */
  private grow(): Uint8Array {
    const next = new Uint8Array(Math.min(this.cap, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    if (next.length > this.peakBuffer) this.peakBuffer = next.length;
    return next;
  }
}
