import { Packr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { FRAME_HEADER_BYTES } from '../../parsers/frame-decoder.js';
import { decodeMessage, encodeFrame, MESSAGE_LIMITS } from '../../src/ipc/frames.js';

const payloadOf = (frame: Buffer) => frame.subarray(FRAME_HEADER_BYTES);
/** msgpackr with its defaults (records on): what a careless peer might send. */
const recordPackr = new Packr({ useRecords: true });

describe('encodeFrame / decodeMessage', () => {
  it('round-trips a message with strings, numbers, bytes, nested maps and arrays', () => {
    const msg = { type: 'output', session: 'a', incarnation: 7, data: Buffer.from([0, 1, 255]), size: { cols: 80, rows: 24 }, caps: ['x', 'y'], n: null };
    const frame = encodeFrame(msg);
    expect(frame.readUInt32BE(0)).toBe(frame.length - FRAME_HEADER_BYTES);
    expect(decodeMessage(payloadOf(frame))).toEqual({ ok: true, message: msg });
  });

  it('writes plain msgpack maps: no record extension, no structure shared between frames', () => {
    const a = encodeFrame({ type: 'ping', seq: 1 });
    const b = encodeFrame({ type: 'ping', seq: 1 });
    // map16 of 2 entries, then plain str keys and values: a stock msgpack decoder reads it alone.
    const str = (s: string) => [0xa0 | s.length, ...Buffer.from(s)];
    expect([...payloadOf(a)]).toEqual([0xde, 0x00, 0x02, ...str('type'), ...str('ping'), ...str('seq'), 0x01]);
    expect(b).toEqual(a);
    // A fresh decoder with records on (another version) reads each frame alone.
    expect(new Packr({ useRecords: true, mapsAsObjects: true }).unpack(payloadOf(b))).toEqual({ type: 'ping', seq: 1 });
  });

  it('throws only for our own bug: a message over the frame cap', () => {
    expect(() => encodeFrame({ type: 'big', data: Buffer.alloc(8 * 1024 * 1024) })).toThrow(/at most 8388608 bytes/);
  });

  it.each([
    ['not msgpack (a truncated str)', Buffer.from([0xa5, 0x61])],
    ['trailing bytes after the map', Buffer.concat([payloadOf(encodeFrame({ type: 'a' })), Buffer.from([1])])],
    ['an array', new Packr().pack(['type', 'x'])],
    ['a string', new Packr().pack('hello')],
    ['a map without type', new Packr().pack({ kind: 'x' })],
    ['a numeric type', new Packr().pack({ type: 7 })],
    ['an empty payload', Buffer.alloc(0)],
    ['a Date inside (timestamp extension)', new Packr().pack({ type: 'x', at: new Date(0) })],
    ['a Set inside (msgpackr extension)', new Packr({ moreTypes: true }).pack({ type: 'x', s: new Set([1]) })],
    ['a RegExp inside (msgpackr extension)', new Packr({ moreTypes: true }).pack({ type: 'x', r: /a+/ })],
    ['an Error inside (msgpackr extension)', new Packr({ moreTypes: true }).pack({ type: 'x', e: new Error('no') })],
  ])('calls %s malformed, without throwing', (_what, payload) => {
    const r = decodeMessage(payload);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.kind).toBe('malformed');
    expect(!r.ok && r.error.reason.length).toBeGreaterThan(0);
  });

  it('calls a message nested deeper than the limit malformed, one at the limit fine', () => {
    const nest = (depth: number): unknown => (depth === 0 ? 1 : [nest(depth - 1)]);
    expect(decodeMessage(new Packr().pack({ type: 'x', v: nest(MESSAGE_LIMITS.maxDepth - 2) })).ok).toBe(true);
    const deep = decodeMessage(new Packr().pack({ type: 'x', v: nest(MESSAGE_LIMITS.maxDepth + 1) }));
    expect(!deep.ok && deep.error.reason).toMatch(/nested deeper than 32/);
    // Far deeper than the stack: msgpackr's recursion fails inside the guard.
    const bomb = Buffer.concat([Buffer.from([0x81, 0xa4, ...Buffer.from('type'), 0xa1, 0x78, 0xa1, 0x76]), Buffer.alloc(200_000, 0x91), Buffer.from([1])]);
    expect(decodeMessage(bomb).ok).toBe(false);
  });

  it('reads a record-encoded map from a peer that left records on as a plain map', () => {
    const r = decodeMessage(recordPackr.pack({ type: 'x', a: 1 }));
    expect(r).toEqual({ ok: true, message: { type: 'x', a: 1 } });
  });

  it('never lets a __proto__ key reach the prototype', () => {
    // {"__proto__": {"polluted": 1}, "type": "x"} written by hand.
    const bytes = Buffer.from([0x82, 0xa9, ...Buffer.from('__proto__'), 0x81, 0xa8, ...Buffer.from('polluted'), 0x01, 0xa4, ...Buffer.from('type'), 0xa1, 0x78]);
    const r = decodeMessage(bytes);
    expect(r.ok).toBe(true);
    expect(Object.getPrototypeOf(r.ok && r.message)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('survives 20,000 random payloads without a throw', () => {
    let seed = 99;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let k = 0; k < 20_000; k++) {
      const b = Buffer.from(Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 256)));
      // A map header first half the time, so the decoder gets past the first byte.
      if (rand() < 0.5 && b.length > 0) b[0] = 0x80 | (b[0]! & 0x0f);
      expect(() => decodeMessage(b)).not.toThrow();
    }
  });
});

describe('decoded bytes', () => {
  it('are copies, not views that keep the whole frame alive', () => {
    const frame = encodeFrame({ type: 'input', data: Buffer.from('keys') });
    const r = decodeMessage(payloadOf(frame));
    const data = r.ok ? (r.message.data as Uint8Array) : null;
    expect(Buffer.from(data!).toString()).toBe('keys');
    expect(data!.buffer).not.toBe(frame.buffer);
  });
});
