/**
 * Fuzz: ≥ 10^5 random and mutated streams per run through both parsers. Each
 * stream must not throw, must respect the memory bound, must give well-formed
 * events, and must give the same result whole and in a random chunking.
 * Seeded: a failure prints TSESSION_FUZZ_SEED=<seed> to replay it exactly.
 */
import { describe, expect, it } from 'vitest';
import type { ControlEvent } from '../../parsers/control-events.js';
import { CONTROL_OUTPUT_SLAB_BYTES } from '../../parsers/control-mode.js';
import type { MarkerEvent } from '../../parsers/events.js';
import { fixture, prng, randomChunks, runControl, runMarkers } from './stream-helpers.js';

const SEED = Number(process.env.TSESSION_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const MARKER_STREAMS = 100_000;
const CONTROL_STREAMS = 30_000;
const NONCE = 'c0ffee';
const SMALL_CAP = 48;

const enc = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);

// Pieces that make the interesting paths likely: introducers, terminators, escapes.
const MARKER_TOKENS = [
  '\x1b', '\x1b]', ']', '\x07', '\x1b\\', '\x18', '\x1a', ';', '=', '\\', '\\\\', '\\x', '\\x3b', '\\xc3\\xbc', '\\x4',
  '633;', '133;', '7;', '1337;', '9;9;', '0;', 'A', 'B', 'C', 'D', 'D;', 'E;', 'P;', 'N', 'L', 'P;Cwd=', 'aid=1',
  `;${NONCE}`, 'file://', 'file:///', 'kitty-shell-cwd://h/', '%20', '%C3%BC', '%00', '%z', 'CurrentDir=',
  'RemoteHost=u@h', '42', '-1', '99999999999', 'ü', '\xff', '\xc3', '\x80', '\x9d', '\x00', '\r\n', 'text ', '\x1b[0m',
].map(enc);
const CONTROL_TOKENS = [
  '%output %1 ', '%extended-output %2 7 : ', '%begin 1 2 3\n', '%end 1 2 3\n', '%end 1 2 4\n', '%error 1 2 3\n',
  '%pause %1\n', '%exit\n', '%window-add @1\n', '%layout-change @1 a b \n', '%session-changed $1 n\n', '%unknown x\n',
  '\\033', '\\134', '\\', '\\0', '\\377', '\\999', '\n', ' ', ':', '%', '@', '$', '1', 'data', '\xff', '\x00',
].map(enc);

const SEEDS = {
  markers: ['bash-633.bin', 'bash-133-osc7.bin', 'hostile-markers.bin'].map(fixture),
  control: ['tmux-control-633.bin', 'hostile-control.bin'].map(fixture),
};

/** One random or mutated stream. */
function makeStream(rand: () => number, tokens: readonly Uint8Array[], seeds: readonly Uint8Array[]): Uint8Array {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const parts: Uint8Array[] = [];
  const mode = rand();
  if (mode < 0.15) {
    // Uniform random bytes.
    const b = new Uint8Array(Math.floor(rand() * 200));
    for (let i = 0; i < b.length; i++) b[i] = Math.floor(rand() * 256);
    return b;
  }
  if (mode < 0.6) {
    // A token soup.
    const n = 1 + Math.floor(rand() * 40);
    for (let i = 0; i < n; i++) parts.push(pick(tokens));
    return Uint8Array.from(Buffer.concat(parts));
  }
  // A slice of a recording, mutated a few times.
  const src = pick(seeds);
  const start = Math.floor(rand() * src.length);
  const bytes = Array.from(src.subarray(start, start + 64 + Math.floor(rand() * 400)));
  const edits = 1 + Math.floor(rand() * 6);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * (bytes.length + 1));
    const op = rand();
    if (op < 0.3) bytes[at] = Math.floor(rand() * 256);
    else if (op < 0.6) bytes.splice(at, 0, ...pick(tokens));
    else if (op < 0.8) bytes.splice(at, Math.floor(rand() * 16));
    else bytes.splice(at, 0, ...bytes.slice(at, at + Math.floor(rand() * 32)));
  }
  return Uint8Array.from(bytes);
}

const MARKER_TYPES = new Set(['prompt-start', 'command-start', 'command-executed', 'command-finished', 'command-line', 'cwd', 'property']);

/** Why a marker event is malformed, or null. */
function markerProblem(e: MarkerEvent, total: number, prevOffset: number): string | null {
  if (!MARKER_TYPES.has(e.type)) return `unknown type ${e.type}`;
  if (!Number.isSafeInteger(e.offset) || e.offset < prevOffset || e.offset >= total) return `offset ${e.offset}`;
  switch (e.type) {
    case 'command-finished':
      if (e.exitCode !== null && !Number.isSafeInteger(e.exitCode)) return `exitCode ${e.exitCode}`;
      return e.dialect === '633' || e.dialect === '133' ? null : 'dialect';
    case 'prompt-start':
    case 'command-start':
    case 'command-executed':
      return e.dialect === '633' || e.dialect === '133' ? null : 'dialect';
    case 'command-line':
      return typeof e.commandLine === 'string' && typeof e.trusted === 'boolean' ? null : 'command-line shape';
    case 'cwd':
      if (!e.cwd) return 'empty cwd';
      return ['633', '7', '1337', '9'].includes(e.source) ? null : 'source';
    case 'property':
      return e.key ? null : 'empty key';
  }
}

function controlProblem(e: ControlEvent): string | null {
  switch (e.type) {
    case 'output':
      return /^%\d+$/.test(e.pane) && e.data instanceof Uint8Array ? null : 'output shape';
    case 'reply':
      return Array.isArray(e.lines) && Number.isSafeInteger(e.number) ? null : 'reply shape';
    case 'notification':
      return e.name ? null : 'empty name';
    default:
      return typeof e.type === 'string' ? null : 'type';
  }
}

describe(`fuzz (TSESSION_FUZZ_SEED=${SEED})`, () => {
  it(`survives ${MARKER_STREAMS} random and mutated marker streams`, () => {
    const rand = prng(SEED);
    for (let i = 0; i < MARKER_STREAMS; i++) {
      const where = `TSESSION_FUZZ_SEED=${SEED} marker stream #${i}`;
      const input = makeStream(rand, MARKER_TOKENS, SEEDS.markers);
      const options = { ...(i % 3 ? { nonce: NONCE } : {}), ...(i % 2 ? { limits: { maxOscPayloadBytes: SMALL_CAP } } : {}) };
      let whole: ReturnType<typeof runMarkers>;
      let split: ReturnType<typeof runMarkers>;
      try {
        whole = runMarkers([input], options);
        split = runMarkers(randomChunks(input, rand, 1 + Math.floor(rand() * 32)), options);
      } catch (e) {
        throw new Error(`${where}: threw ${(e as Error).stack}\ninput: ${Buffer.from(input).toString('hex')}`, { cause: e });
      }
      const cap = options.limits?.maxOscPayloadBytes ?? 65536;
      let prev = 0;
      for (const ev of whole.events) {
        const problem = markerProblem(ev, input.length, prev);
        if (problem) expect.fail(`${where}: ${problem} in ${JSON.stringify(ev)}`);
        if (ev.type === 'command-line' && ev.trusted && !options.nonce) expect.fail(`${where}: trusted without nonce`);
        prev = ev.offset;
      }
      if (whole.stats.peakBufferBytes > cap) expect.fail(`${where}: buffer ${whole.stats.peakBufferBytes} > cap ${cap}`);
      if (JSON.stringify(whole) !== JSON.stringify(split)) {
        expect(split, `${where}: chunking changed the result; input ${Buffer.from(input).toString('hex')}`).toEqual(whole);
      }
    }
  });

  it(`survives ${CONTROL_STREAMS} random and mutated control-mode streams`, () => {
    const rand = prng(SEED ^ 0x5bd1e995);
    const limits = { maxLineBytes: 96, maxReplyBytes: 128 };
    for (let i = 0; i < CONTROL_STREAMS; i++) {
      const where = `TSESSION_FUZZ_SEED=${SEED} control stream #${i}`;
      const input = makeStream(rand, CONTROL_TOKENS, SEEDS.control);
      let whole: ReturnType<typeof runControl>;
      let split: ReturnType<typeof runControl>;
      try {
        whole = runControl([input], { limits });
        split = runControl(randomChunks(input, rand, 1 + Math.floor(rand() * 32)), { limits });
      } catch (e) {
        throw new Error(`${where}: threw ${(e as Error).stack}\ninput: ${Buffer.from(input).toString('hex')}`, { cause: e });
      }
      for (const ev of whole.events) {
        const problem = controlProblem(ev);
        if (problem) expect.fail(`${where}: ${problem} in ${JSON.stringify(ev)}`);
      }
      // Carry (≤ the line limit, or its 1 KiB start) plus one output slab.
      const bound = Math.max(1024, limits.maxLineBytes) + CONTROL_OUTPUT_SLAB_BYTES;
      if (split.stats.peakBufferBytes > bound) expect.fail(`${where}: buffers ${split.stats.peakBufferBytes} > ${bound}`);
      const a = JSON.stringify(whole.events.map((e) => (e.type === 'output' ? { ...e, data: [...e.data] } : e)));
      const b = JSON.stringify(split.events.map((e) => (e.type === 'output' ? { ...e, data: [...e.data] } : e)));
      if (a !== b) expect.fail(`${where}: chunking changed the events; input ${Buffer.from(input).toString('hex')}`);
    }
  });
});
