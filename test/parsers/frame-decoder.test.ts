import { describe, expect, it } from 'vitest';
import {
  createFrameDecoder,
  DEFAULT_FRAME_LIMITS,
  FRAME_HEADER_BYTES,
  frameHeader,
  MAX_FRAME_BYTES,
  type FrameEvent,
} from '../../parsers/frame-decoder.js';
import { prng, randomChunks } from './stream-helpers.js';

/** One frame: header + payload. */
const frame = (payload: Uint8Array): Uint8Array => Uint8Array.from([...frameHeader(payload.length), ...payload]);
const bytes = (...xs: number[]) => Uint8Array.from(xs);
const concat = (parts: readonly Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

/** Events with payloads as arrays, for deep equality. */
function run(chunks: readonly Uint8Array[], maxFrameBytes?: number) {
  const d = createFrameDecoder(maxFrameBytes === undefined ? {} : { limits: { maxFrameBytes } });
  const events: unknown[] = [];
  const plain = (e: FrameEvent) => (e.type === 'frame' ? { type: 'frame', payload: [...e.payload] } : e);
  for (const c of chunks) events.push(...d.push(c).map(plain));
  events.push(...d.flush().map(plain));
  return { events, stats: d.stats() };
}

describe('frame header', () => {
  it('is a 4-byte big-endian length', () => {
    expect(FRAME_HEADER_BYTES).toBe(4);
    expect([...frameHeader(0x01020304)]).toEqual([1, 2, 3, 4]);
    expect([...frameHeader(0xffffffff)]).toEqual([255, 255, 255, 255]);
  });
});

describe('createFrameDecoder', () => {
  it('decodes frames back to back in one chunk, the empty frame too', () => {
    const r = run([concat([frame(bytes(1, 2, 3)), frame(bytes()), frame(bytes(9))])]);
    expect(r.events).toEqual([
      { type: 'frame', payload: [1, 2, 3] },
      { type: 'frame', payload: [] },
      { type: 'frame', payload: [9] },
    ]);
    expect(r.stats).toMatchObject({ frames: 3, pendingBytes: 0, failed: false, bytes: 4 + 3 + 4 + 4 + 1 });
  });

  it('gives identical frames when the stream is split at every offset (and at every pair of offsets)', () => {
    const stream = concat([frame(bytes(1, 2, 3, 4, 5)), frame(bytes()), frame(Uint8Array.from({ length: 300 }, (_, i) => i & 0xff)), frame(bytes(7))]);
    const whole = run([stream]).events;
    expect(whole).toHaveLength(4);
    for (let i = 0; i <= stream.length; i++) {
      expect(run([stream.subarray(0, i), stream.subarray(i)]).events, `split at ${i}`).toEqual(whole);
    }
    for (let i = 0; i <= 24; i++) {
      for (let j = i; j <= stream.length; j += 7) {
        expect(run([stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)]).events, `split at ${i}, ${j}`).toEqual(whole);
      }
    }
    const byteByByte = Array.from(stream, (b) => bytes(b));
    expect(run(byteByByte).events).toEqual(whole);
  });

  it('gives identical frames in seeded random chunkings, empty chunks included', () => {
    const seed = 1234;
    const rand = prng(seed);
    const stream = concat(Array.from({ length: 50 }, () => frame(Uint8Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256)))));
    const whole = run([stream]).events;
    for (let k = 0; k < 200; k++) expect(run(randomChunks(stream, rand, 40)).events, `seed ${seed} round ${k}`).toEqual(whole);
  });

  it('hands out a payload inside one chunk as a view, and copies one that spans chunks', () => {
    const chunk = frame(bytes(5, 6));
    const [inside] = createFrameDecoder().push(chunk);
    expect(inside?.type === 'frame' && inside.payload.buffer).toBe(chunk.buffer);
    const d = createFrameDecoder();
    d.push(chunk.subarray(0, 5));
    const [spanning] = d.push(chunk.subarray(5));
    expect(spanning?.type === 'frame' && [...spanning.payload]).toEqual([5, 6]);
    expect(spanning?.type === 'frame' && spanning.payload.buffer).not.toBe(chunk.buffer);
  });

  it('reports an incomplete frame at flush as truncated, in the header and in the payload', () => {
    expect(run([bytes(0, 0)]).events).toEqual([{ type: 'error', kind: 'truncated', expected: 4, received: 2 }]);
    expect(run([frameHeader(10), bytes(1, 2, 3)]).events).toEqual([{ type: 'error', kind: 'truncated', expected: 14, received: 7 }]);
    expect(run([]).events).toEqual([]);
  });

  it('does not allocate the announced size up front: a peer announcing the cap and sending a byte costs little', () => {
    const d = createFrameDecoder();
    d.push(frameHeader(MAX_FRAME_BYTES));
    d.push(bytes(1));
    expect(d.stats().peakBufferBytes).toBeLessThanOrEqual(256 * 1024);
    expect(d.stats().pendingBytes).toBe(5);
  });

  it('reset() starts over: nothing in flight, counters zero', () => {
    const d = createFrameDecoder();
    d.push(concat([frame(bytes(1)), frameHeader(3), bytes(1)]));
    d.reset();
    expect(d.stats()).toEqual({ bytes: 0, frames: 0, pendingBytes: 0, peakPendingBytes: 0, peakBufferBytes: 0, refusedBytes: 0, failed: false });
    expect(d.push(frame(bytes(4))).map((e) => e.type)).toEqual(['frame']);
  });

  it('rejects a bad limit at construction (a programming error, not input)', () => {
    expect(() => createFrameDecoder({ limits: { maxFrameBytes: 0 } })).toThrow(RangeError);
    expect(() => createFrameDecoder({ limits: { maxFrameBytes: 1.5 } })).toThrow(/maxFrameBytes/);
  });
});

describe('MAX_FRAME_BYTES', () => {
  it('is 8 MiB and the default', () => {
    expect(MAX_FRAME_BYTES).toBe(8 * 1024 * 1024);
    expect(DEFAULT_FRAME_LIMITS.maxFrameBytes).toBe(MAX_FRAME_BYTES);
  });

  it('keeps a frame of exactly the cap, whole and split inside its payload', () => {
    const payload = new Uint8Array(MAX_FRAME_BYTES).fill(0x61);
    payload[MAX_FRAME_BYTES - 1] = 0x62;
    const stream = frame(payload);
    for (const chunks of [[stream], [stream.subarray(0, 3), stream.subarray(3, 1000), stream.subarray(1000)]]) {
      const d = createFrameDecoder();
      const events = chunks.flatMap((c) => [...d.push(c)]);
      expect(events).toHaveLength(1);
      const [e] = events;
      expect(e?.type === 'frame' && e.payload.length).toBe(MAX_FRAME_BYTES);
      expect(e?.type === 'frame' && e.payload[MAX_FRAME_BYTES - 1]).toBe(0x62);
      expect(d.stats().peakBufferBytes).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    }
  });

  it('refuses a frame one byte over the cap from its header alone, then all further input until reset', () => {
    const d = createFrameDecoder();
    expect(d.push(concat([frame(bytes(1)), frameHeader(MAX_FRAME_BYTES + 1), bytes(1, 2)]))).toEqual([
      { type: 'frame', payload: bytes(1) },
      { type: 'error', kind: 'oversized', length: MAX_FRAME_BYTES + 1, limit: MAX_FRAME_BYTES },
    ]);
    expect(d.push(frame(bytes(3)))).toEqual([]);
    expect(d.flush()).toEqual([]);
    expect(d.stats()).toMatchObject({ failed: true, refusedBytes: 2 + 5, frames: 1, peakBufferBytes: 0 });
    d.reset();
    expect(d.push(frame(bytes(3))).map((e) => e.type)).toEqual(['frame']);
  });

  it('applies an overridden cap at N and N+1, whatever the chunking', () => {
    const cap = 16;
    for (const size of [cap, cap + 1]) {
      const stream = concat([frame(new Uint8Array(size)), frame(bytes(1))]);
      for (let i = 0; i <= stream.length; i++) {
        const r = run([stream.subarray(0, i), stream.subarray(i)], cap);
        const types = r.events.map((e) => (e as FrameEvent).type);
        expect(types, `size ${size}, split at ${i}`).toEqual(size === cap ? ['frame', 'frame'] : ['error']);
      }
    }
  });
});
