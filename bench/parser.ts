/**
 * Parser benchmark: marker parser and control-mode decoder throughput against
 * @xterm/headless on the same bytes, the memchr floor, and the memory bound on
 * an unterminated sequence. Numbers only; the tests own correctness.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import xtermHeadless from '@xterm/headless';
import { createControlModeParser } from '../parsers/control-mode.js';
import { MAX_OSC_PAYLOAD_BYTES } from '../parsers/limits.js';
import { createMarkerParser, type MarkerParser } from '../parsers/marker-parser.js';
import { median, sample, verdict, type BenchSection } from './harness.js';

const { Terminal } = xtermHeadless;

/** Sizes, run counts and targets of this section (issue 4, "Benchmark"). */
export const PARSER_BENCH = {
  /** Bytes each of our workloads parses per run. */
  streamBytes: 64 * 1024 * 1024,
  /** Bytes @xterm/headless parses per run (it is ~30–100× slower; same bytes, a prefix). */
  xtermBytes: 16 * 1024 * 1024,
  /** Chunk size pushed per call, like a PTY or pipe read. */
  chunkBytes: 64 * 1024,
  runs: 7,
  warmup: 1,
  /** Typical output carries an OSC 633 prompt group about every this many bytes. */
  markerEveryBytes: 2048,
  /** Panes interleaved in the control-mode stream. */
  controlPanes: 4,
  /** Largest pane write per %output line (tmux writes a few KiB at a time). */
  controlWriteBytes: 2048,
  targets: { typicalVsXterm: 20, redrawVsXterm: 50, controlMBps: 300 },
} as const;

const MB = 1e6;
const NONCE = '5f2a9c0e7b1d4e3f8a6b2c9d0e1f3a4b';
const enc = (s: string) => Buffer.from(s, 'utf8');

/** Seeded PRNG so every run and machine sees the same bytes. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Repeat `unit` to exactly `size` bytes. */
function tile(unit: Buffer, size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i += unit.length) unit.copy(out, i, 0, Math.min(unit.length, size - i));
  return out;
}

const WORDS = ['build', 'src/index.ts', 'passed', 'warning:', 'node_modules', 'ünïcode', '日本語', 'error', '42 ms', 'OK', '[1/3]', 'x=1;', 'äöü'];

/** (a) Coloured text lines (ls/compiler-like) with an OSC 633 prompt group every ~2 KB. */
function typicalOutput(size: number): Buffer {
  const rand = prng(1);
  const parts: Buffer[] = [];
  let len = 0;
  let sinceMarker = 0;
  let n = 0;
  while (len < 4 * 1024 * 1024) {
    let line = '';
    const words = 4 + Math.floor(rand() * 10);
    for (let w = 0; w < words; w++) {
      const word = WORDS[Math.floor(rand() * WORDS.length)]!;
      line += rand() < 0.3 ? `\x1b[${31 + Math.floor(rand() * 6)}m${word}\x1b[0m ` : `${word} `;
    }
    let chunk = line + '\r\n';
    sinceMarker += chunk.length;
    if (sinceMarker >= PARSER_BENCH.markerEveryBytes) {
      sinceMarker = 0;
      n++;
      chunk +=
        `\x1b]633;D;${n % 7 ? 0 : 1}\x07\x1b]633;P;Cwd=/home/me/proj ${n % 3}\x07\x1b]633;A\x07` +
        `\x1b[32mme@box\x1b[0m:\x1b[34m~/proj\x1b[0m$ \x1b]633;B\x07` +
        `\x1b]633;E;make test\\x3b echo done ${n};${NONCE}\x07\x1b]633;C\x07`;
    }
    const b = enc(chunk);
    parts.push(b);
    len += b.length;
  }
  return tile(Buffer.concat(parts), size);
}

/** (b) Full-screen redraw (top/vim-like): a cursor move and an SGR every few bytes. */
function redrawOutput(size: number): Buffer {
  const rand = prng(2);
  let s = '';
  while (s.length < 4 * 1024 * 1024) {
    const row = 1 + Math.floor(rand() * 40);
    const col = 1 + Math.floor(rand() * 120);
    s += `\x1b[${row};${col}H\x1b[38;5;${Math.floor(rand() * 256)}m${'0123456789%. '.slice(0, 2 + Math.floor(rand() * 5))}`;
    if (rand() < 0.05) s += '\x1b[0m\x1b[K';
  }
  return tile(enc(s), size);
}

/** tmux's %output escaping: bytes < 0x20 and '\' as \ooo, everything else raw. */
function escapeForControl(data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(data.length * 4);
  let n = 0;
  for (const b of data) {
    if (b < 0x20 || b === 0x5c) {
      out[n++] = 0x5c;
      out[n++] = 0x30 + (b >> 6);
      out[n++] = 0x30 + ((b >> 3) & 7);
      out[n++] = 0x30 + (b & 7);
    } else out[n++] = b;
  }
  return out.subarray(0, n);
}

/** (c) A `tmux -C` stream: typical output as %output lines of a few panes, as tmux writes it. */
function controlStream(size: number): Buffer {
  const rand = prng(3);
  const source = typicalOutput(4 * 1024 * 1024);
  const limit = source.length - PARSER_BENCH.controlWriteBytes;
  // Each pane reads its own contiguous stretch of output, as a real pane would.
  const cursors = Array.from({ length: PARSER_BENCH.controlPanes }, (_, i) => Math.floor((i * limit) / PARSER_BENCH.controlPanes));
  const parts: Buffer[] = [];
  let len = 0;
  while (len < 4 * 1024 * 1024) {
    const pane = Math.floor(rand() * PARSER_BENCH.controlPanes);
    const take = 64 + Math.floor(rand() * (PARSER_BENCH.controlWriteBytes - 64));
    const at = cursors[pane]!;
    cursors[pane] = (at + take) % limit;
    const line = Buffer.concat([enc(`%output %${pane} `), escapeForControl(source.subarray(at, at + take)), enc('\n')]);
    parts.push(line);
    len += line.length;
  }
  // Cut the tiled stream at a line end so every run sees whole lines.
  const stream = tile(Buffer.concat(parts), size);
  return stream.subarray(0, stream.lastIndexOf(0x0a) + 1);
}

/** The generated inputs, exported for profiling (`node --cpu-prof`). */
export const WORKLOADS = { typicalOutput, redrawOutput, controlStream } as const;

function chunks(buf: Buffer, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

function runMarkers(parts: readonly Uint8Array[]): number {
  const p = createMarkerParser({ nonce: NONCE });
  let events = 0;
  for (const c of parts) events += p.push(c).length;
  return events;
}

// As the daemon should: decode into Buffers, whose indexOf is memchr-backed.
const allocateBuffer = (size: number): Uint8Array => Buffer.allocUnsafeSlow(size);

function runControl(parts: readonly Uint8Array[]): number {
  const decoder = createControlModeParser({ allocate: allocateBuffer });
  const panes = new Map<string, MarkerParser>();
  let events = 0;
  for (const c of parts) {
    for (const ev of decoder.push(c)) {
      if (ev.type !== 'output') continue;
      let p = panes.get(ev.pane);
      if (!p) panes.set(ev.pane, (p = createMarkerParser({ nonce: NONCE })));
      events += p.push(ev.data).length;
    }
  }
  return events;
}

/** A headless xterm with shell-integration OSC handlers, as a terminal-side parser would have. */
function makeTerminal(): InstanceType<typeof Terminal> {
  // logLevel off: a stream cut mid-sequence (a tile seam) must not flood the report.
  const term = new Terminal({ allowProposedApi: true, cols: 120, rows: 40, scrollback: 1000, logLevel: 'off' });
  for (const id of [633, 133, 7]) term.parser.registerOscHandler(id, () => true);
  return term;
}

async function runXterm(parts: readonly Uint8Array[]): Promise<void> {
  const term = makeTerminal();
  for (let i = 0; i < parts.length - 1; i++) term.write(parts[i]!);
  await new Promise<void>((resolve) => term.write(parts[parts.length - 1]!, resolve));
  term.dispose();
}

/** Control-mode peer: decode, then let xterm parse each pane's bytes. */
async function runControlXterm(parts: readonly Uint8Array[]): Promise<void> {
  const decoder = createControlModeParser({ allocate: allocateBuffer });
  const terms = new Map<string, InstanceType<typeof Terminal>>();
  for (const c of parts) {
    for (const ev of decoder.push(c)) {
      if (ev.type !== 'output') continue;
      let t = terms.get(ev.pane);
      if (!t) terms.set(ev.pane, (t = makeTerminal()));
      t.write(ev.data);
    }
  }
  await Promise.all([...terms.values()].map((t) => new Promise<void>((resolve) => t.write('', resolve))));
  for (const t of terms.values()) t.dispose();
}

/** MB/s from bytes and a median in ms. */
const mbps = (bytes: number, ms: number) => bytes / MB / (ms / 1000);
const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

interface Throughput {
  readonly medianMs: number;
  readonly mbps: number;
  readonly samples: number[];
}

const summarise = (samples: number[], bytes: number): Throughput => {
  const medianMs = median(samples);
  return { medianMs, mbps: mbps(bytes, medianMs), samples };
};

async function throughput(fn: () => unknown, bytes: number): Promise<Throughput> {
  return summarise(await sample(fn, PARSER_BENCH.runs, PARSER_BENCH.warmup), bytes);
}

/**
 * Ours and the peer measured in alternation, one sample each per round, so a
 * neighbour's load on this shared 2-core machine hits both sides of a ratio alike.
 */
async function paired(
  ours: () => unknown,
  oursBytes: number,
  peer: () => unknown,
  peerBytes: number,
): Promise<{ ours: Throughput; peer: Throughput }> {
  // No forced gc() between samples: measured here, a full collection right
  // before a 40 ms run makes it ~35% slower (concurrent sweeping, a shrunk
  // young generation), which would measure the collector, not the parser.
  const a: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < PARSER_BENCH.warmup + PARSER_BENCH.runs; round++) {
    const [ta] = await sample(ours, 1, 0);
    const [tb] = await sample(peer, 1, 0);
    if (round >= PARSER_BENCH.warmup) {
      a.push(ta!);
      b.push(tb!);
    }
  }
  return { ours: summarise(a, oursBytes), peer: summarise(b, peerBytes) };
}

/** `gc()` without --expose-gc on the command line, so heap deltas mean something. */
function getGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

/** Memory growth while a 64 MiB unterminated OSC 633 E streams in (run twice: the first warms the JIT). */
function unterminatedMemory(): { peakBufferBytes: number; heapGrowthBytes: number; limitBytes: number } {
  const gc = getGc();
  const chunk = new Uint8Array(PARSER_BENCH.chunkBytes).fill(0x41);
  const head = enc('\x1b]633;E;');
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const once = () => {
    const parser = createMarkerParser();
    parser.push(head);
    gc();
    const before = used();
    // Retained growth, sampled 16 times: collect garbage first, so only what the
    // parser keeps counts, not what the loop itself briefly allocates.
    let peak = 0;
    for (let sent = 0; sent < PARSER_BENCH.streamBytes; sent += chunk.length) {
      parser.push(chunk);
      if ((sent / chunk.length) % 64 === 63) {
        gc();
        peak = Math.max(peak, used() - before);
      }
    }
    return { peakBufferBytes: parser.stats().peakBufferBytes, heapGrowthBytes: Math.max(0, peak) };
  };
  once();
  return { ...once(), limitBytes: MAX_OSC_PAYLOAD_BYTES + PARSER_BENCH.chunkBytes };
}

/** The parser section of `npm run bench`. */
export async function bench(): Promise<BenchSection> {
  const B = PARSER_BENCH;
  const typical = typicalOutput(B.streamBytes);
  const redraw = redrawOutput(B.streamBytes);
  const control = controlStream(B.streamBytes);
  const floorBuf = Buffer.alloc(B.streamBytes, 0x61);

  const typicalPair = await paired(
    () => runMarkers(chunks(typical, B.chunkBytes)), typical.length,
    () => runXterm(chunks(typical.subarray(0, B.xtermBytes), B.chunkBytes)), B.xtermBytes,
  );
  const redrawPair = await paired(
    () => runMarkers(chunks(redraw, B.chunkBytes)), redraw.length,
    () => runXterm(chunks(redraw.subarray(0, B.xtermBytes), B.chunkBytes)), B.xtermBytes,
  );
  const controlPair = await paired(
    () => runControl(chunks(control, B.chunkBytes)), control.length,
    () => runControlXterm(chunks(control.subarray(0, B.xtermBytes), B.chunkBytes)), B.xtermBytes,
  );
  const ours = { typical: typicalPair.ours, redraw: redrawPair.ours, control: controlPair.ours };
  const xterm = { typical: typicalPair.peer, redraw: redrawPair.peer, control: controlPair.peer };
  const floor = await throughput(() => floorBuf.indexOf(0x1b), floorBuf.length);
  const memory = unterminatedMemory();

  const typicalRatio = ours.typical.mbps / xterm.typical.mbps;
  const redrawRatio = ours.redraw.mbps / xterm.redraw.mbps;
  const ok = {
    typical: typicalRatio >= B.targets.typicalVsXterm,
    redraw: redrawRatio >= B.targets.redrawVsXterm,
    control: ours.control.mbps >= B.targets.controlMBps,
    memory: memory.peakBufferBytes <= MAX_OSC_PAYLOAD_BYTES && memory.heapGrowthBytes <= memory.limitBytes,
  };
  const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  return {
    name: 'parser',
    results: {
      config: B,
      events: { typical: runMarkers(chunks(typical, B.chunkBytes)), control: runControl(chunks(control, B.chunkBytes)) },
      ours,
      xterm,
      memchrFloor: floor,
      ratios: { typicalVsXterm: typicalRatio, redrawVsXterm: redrawRatio, controlVsXterm: ours.control.mbps / xterm.control.mbps },
      memory,
      ok,
    },
    summary: [
      `(a) typical output: ${fmt(ours.typical.mbps)} MB/s vs @xterm/headless ${fmt(xterm.typical.mbps)} MB/s = ${fmt(typicalRatio)}× (target ≥ ${B.targets.typicalVsXterm}×) ${verdict(ok.typical)}`,
      `(b) redraw output:  ${fmt(ours.redraw.mbps)} MB/s vs @xterm/headless ${fmt(xterm.redraw.mbps)} MB/s = ${fmt(redrawRatio)}× (target ≥ ${B.targets.redrawVsXterm}×) ${verdict(ok.redraw)}`,
      `(c) control mode decode + markers: ${fmt(ours.control.mbps)} MB/s (target ≥ ${B.targets.controlMBps} MB/s) ${verdict(ok.control)}; decode + @xterm/headless ${fmt(xterm.control.mbps)} MB/s (${fmt(ours.control.mbps / xterm.control.mbps)}×)`,
      `memchr floor (Buffer.indexOf over ${B.streamBytes / 1024 / 1024} MiB without ESC): ${fmt(floor.mbps)} MB/s`,
      `memory on a ${B.streamBytes / 1024 / 1024} MiB unterminated OSC: parser buffer peak ${kib(memory.peakBufferBytes)}, heap growth ${kib(memory.heapGrowthBytes)} (limit cap + chunk = ${kib(memory.limitBytes)}) ${verdict(ok.memory)}`,
      `medians of ${B.runs} runs after ${B.warmup} warm-up; ours over ${B.streamBytes / 1024 / 1024} MiB, xterm over ${B.xtermBytes / 1024 / 1024} MiB, ${B.chunkBytes / 1024} KiB chunks`,
    ],
  };
}
