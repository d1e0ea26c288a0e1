/**
 * Fuzz: 10^5 random and mutated streams through the frame decoder. Each
 * must not throw, must keep its buffer within the cap, and must give the
 * same events whole and in a random chunking. Seeded: a failure prints
 * TSESSION_FUZZ_SEED=<seed> to replay it exactly.
 */
import { describe, expect, it } from 'vitest';
import { createFrameDecoder, frameHeader, type FrameEvent } from '../../parsers/frame-decoder.js';
import { prng, randomChunks } from './stream-helpers.js';

const SEED = Number(process.env.TSESSION_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const STREAMS = 100_000;
const CAP = 64;

/** A stream of mostly well-formed frames with random damage, or plain random bytes. */
function makeStream(rand: () => number): Uint8Array {
  const n = Math.floor(rand() * 8);
  if (rand() < 0.2) return Uint8Array.from({ length: Math.floor(rand() * 80) }, () => Math.floor(rand() * 256));
  const parts: number[] = [];
  for (let i = 0; i < n; i++) {
    // Lengths near the cap on purpose: N−1, N, N+1, and the far end of the range.
    const pick = rand();
    const length = pick < 0.6 ? Math.floor(rand() * 20) : pick < 0.9 ? CAP - 1 + Math.floor(rand() * 3) : 0xffffffff - Math.floor(rand() * 3);
    parts.push(...frameHeader(length));
    const body = Math.min(length, CAP + 2);
    for (let j = 0; j < body; j++) parts.push(Math.floor(rand() * 256));
  }
  const bytes = Uint8Array.from(parts);
  // A few flipped or cut bytes.
  const edits = Math.floor(rand() * 3);
  for (let e = 0; e < edits && bytes.length > 0; e++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
  return rand() < 0.2 ? bytes.subarray(0, Math.floor(rand() * bytes.length)) : bytes;
}

function run(chunks: readonly Uint8Array[]): { events: unknown[]; peak: number } {
  const d = createFrameDecoder({ limits: { maxFrameBytes: CAP } });
  const events: unknown[] = [];
  const plain = (e: FrameEvent) => (e.type === 'frame' ? [...e.payload] : e);
  for (const c of chunks) events.push(...d.push(c).map(plain));
  events.push(...d.flush().map(plain));
  return { events, peak: d.stats().peakBufferBytes };
}

describe('frame decoder fuzz', () => {
  it(`${STREAMS} seeded streams never throw, stay within the cap, and chunk the same (seed printed on failure)`, () => {
    console.log(`frame-decoder fuzz: TSESSION_FUZZ_SEED=${SEED}`);
    const rand = prng(SEED);
    let frames = 0;
    let errors = 0;
    for (let k = 0; k < STREAMS; k++) {
      const stream = makeStream(rand);
      const where = `TSESSION_FUZZ_SEED=${SEED}, stream ${k}`;
      let whole: ReturnType<typeof run>;
      let chunked: ReturnType<typeof run>;
      try {
        whole = run([stream]);
        chunked = run(randomChunks(stream, rand, 12));
      } catch (e) {
        throw new Error(`Expected no throw, got ${String(e)} (${where})`, { cause: e });
      }
      if (JSON.stringify(whole.events) !== JSON.stringify(chunked.events)) expect(chunked.events, where).toEqual(whole.events);
      if (whole.peak > CAP || chunked.peak > CAP) expect(Math.max(whole.peak, chunked.peak), where).toBeLessThanOrEqual(CAP);
      for (const e of whole.events) if (Array.isArray(e)) frames++;
      else errors++;
    }
    // The generator reaches both paths, or this fuzz proves little.
    expect(frames).toBeGreaterThan(STREAMS / 2);
    expect(errors).toBeGreaterThan(STREAMS / 10);
  });
});
