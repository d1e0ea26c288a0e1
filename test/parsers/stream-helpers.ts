/**
 * Shared helpers for the parser suites: byte builders, chunkings (every
 * offset, seeded random), a seeded PRNG and fixture loading. No assertions here.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ControlEvent } from '../../parsers/control-events.js';
import { createControlModeParser, type ControlModeParserOptions } from '../../parsers/control-mode.js';
import type { MarkerEvent } from '../../parsers/events.js';
import { createMarkerParser, type MarkerParserOptions } from '../../parsers/marker-parser.js';

const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'streams');

/** UTF-8 bytes of a string. */
export const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
/** One byte per char (0–255): for raw, possibly invalid, byte strings. */
export const latin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

/** A recorded stream from fixtures/streams/. */
export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(fixturesDir, name)));
}

/** Seeded PRNG (mulberry32): same seed, same sequence. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Split `input` at the given offsets (ascending). */
export function splitAt(input: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const o of offsets) {
    out.push(input.subarray(prev, o));
    prev = o;
  }
  out.push(input.subarray(prev));
  return out;
}

/** Random chunking: sizes 0..maxChunk (empty chunks included on purpose). */
export function randomChunks(input: Uint8Array, rand: () => number, maxChunk = 64): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < input.length) {
    const size = Math.floor(rand() * (maxChunk + 1));
    out.push(input.subarray(i, Math.min(input.length, i + size)));
    i += size;
  }
  return out;
}

/** Run a marker parser over chunks; events plus final stats. */
export function runMarkers(chunks: readonly Uint8Array[], options: MarkerParserOptions = {}) {
  const p = createMarkerParser(options);
  const events: MarkerEvent[] = [];
  for (const c of chunks) events.push(...p.push(c));
  events.push(...p.flush());
  return { events, stats: p.stats() };
}

/** Run a control-mode decoder over chunks; events plus final stats. */
export function runControl(chunks: readonly Uint8Array[], options: ControlModeParserOptions = {}) {
  const p = createControlModeParser(options);
  const events: ControlEvent[] = [];
  for (const c of chunks) events.push(...p.push(c));
  events.push(...p.flush());
  return { events, stats: p.stats() };
}

/** Events with Uint8Array payloads turned into latin1 strings, for deep equality and readable diffs. */
export function plain(events: readonly ControlEvent[]): unknown[] {
  return events.map((e) => (e.type === 'output' ? { ...e, data: Buffer.from(e.data).toString('latin1') } : e));
}

/** Bytes as printable ASCII, others as \xHH: for snapshots without raw control bytes. */
export function visible(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    out += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return out;
}
