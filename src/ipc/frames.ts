/**
 * The message codec: one message is a msgpack map with a string `type`,
 * framed by a 4-byte length (parsers/frame-decoder.ts). Plain maps only
 * (no records, no structure sharing): a reconnecting or older peer decodes
 * every frame alone. Non-goals: what the types mean (each protocol says).
 */
import { Packr } from 'msgpackr';

import { FRAME_HEADER_BYTES, MAX_FRAME_BYTES } from '../../parsers/frame-decoder.js';
import { errorMessage } from '../../checkpoints/result.js';

/** One message: a map whose `type` names it; the other fields are the type's own. */
export interface Message {
  readonly type: string;
  readonly [field: string]: unknown;
}

/**
 * What may be sent: any object with a string `type` (an interface of a
 * protocol's own fits); its fields must be plain data.
 */
export interface Outgoing {
  readonly type: string;
}

/** A payload that is not a message, and why. */
export interface Malformed {
  readonly kind: 'malformed';
  readonly reason: string;
}

/** A decoded payload: a message, or why it is not one. */
export type Decoded = { readonly ok: true; readonly message: Message } | { readonly ok: false; readonly error: Malformed };

// One packer for both ways. Records and structure sharing off: each frame
// must decode without state from earlier frames (or from another version).
// Bytes fields are copied out: a view would keep the whole socket chunk
// alive for as long as a handler keeps a few of its bytes.
const packr = new Packr({ useRecords: false, structuredClone: false, mapsAsObjects: true, moreTypes: false, copyBuffers: true });

/**
 * Deepest nesting a message may have, and most values in one message.
 * Messages are shallow (a few fields, a list of capabilities); these bound
 * the walk that checks a hostile payload for non-plain values.
 */
export const MESSAGE_LIMITS = { maxDepth: 32, maxValues: 1_000_000 } as const;

/**
 * Encode `msg` as one frame: length prefix and msgpack payload. Throws only
 * on our own bug: a message over MAX_FRAME_BYTES or a value msgpack cannot
 * hold (a bigint beyond 64 bits).
 */
export function encodeFrame<M extends Outgoing>(msg: M): Buffer {
  const body = packr.pack(msg);
  if (body.length > MAX_FRAME_BYTES) {
    throw new RangeError(`Expected an IPC message of at most ${MAX_FRAME_BYTES} bytes, got ${body.length} (type ${msg.type})`);
  }
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

/** Decode one frame's payload. Never throws: anything but a plain map with a string `type` is 'malformed'. */
export function decodeMessage(payload: Uint8Array): Decoded {
  let value: unknown;
  try {
    value = packr.unpack(payload);
  } catch (e) {
    return malformed(`not msgpack (${errorMessage(e)})`);
  }
  if (!isPlainObject(value)) return malformed(`expected a map, got ${describe(value)}`);
  if (typeof value.type !== 'string') return malformed(`expected a string field "type", got ${describe(value.type)}`);
  const problem = nonPlain(value);
  if (problem) return malformed(problem);
  return { ok: true, message: value as Message };
}

const malformed = (reason: string): Decoded => ({ ok: false, error: { kind: 'malformed', reason } });

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return `a ${(v as object).constructor?.name ?? 'object'}`;
  return typeof v;
}

/**
 * The first value msgpackr's extensions made that is not plain data (a
 * Date, Set, RegExp, Error, a shared reference…), or a message too deep or
 * too big; null when all is strings, numbers, booleans, null, bytes, arrays
 * and plain maps. Handlers then only ever see data.
 */
function nonPlain(root: unknown): string | null {
  let count = 0;
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (++count > MESSAGE_LIMITS.maxValues) return `more than ${MESSAGE_LIMITS.maxValues} values`;
    if (v === null || v === undefined) continue;
    const t = typeof v;
    if (t === 'string' || t === 'number' || t === 'boolean' || t === 'bigint') continue;
    if (v instanceof Uint8Array) continue;
    if (depth >= MESSAGE_LIMITS.maxDepth) return `nested deeper than ${MESSAGE_LIMITS.maxDepth}`;
    if (Array.isArray(v)) {
      for (const item of v) stack.push([item, depth + 1]);
      continue;
    }
    if (!isPlainObject(v)) return `expected plain data, got ${describe(v)}`;
    for (const key of Object.keys(v)) stack.push([v[key], depth + 1]);
  }
  return null;
}
