import { describe, expect, it } from 'vitest';
import type { MarkerParserOptions } from '../../parsers/marker-parser.js';
import { fixture, plain, prng, randomChunks, runControl, runMarkers, splitAt } from './stream-helpers.js';

const NONCE = '0123456789abcdef0123456789abcdef';
const RANDOM_CHUNKINGS = 200;
const SEED = Number(process.env.TSESSION_TEST_SEED ?? 20240604);

/** Every byte of a control stream's %output for one pane, concatenated. */
function paneBytes(controlStream: Uint8Array, pane: string): Uint8Array {
  const parts = runControl([controlStream]).events.flatMap((e) => (e.type === 'output' && e.pane === pane ? [e.data] : []));
  return new Uint8Array(Buffer.concat(parts));
}

const MARKER_STREAMS: readonly [string, () => Uint8Array, MarkerParserOptions][] = [
  ['bash-633.bin', () => fixture('bash-633.bin'), { nonce: NONCE }],
  ['bash-133-osc7.bin', () => fixture('bash-133-osc7.bin'), {}],
  ['hostile-markers.bin', () => fixture('hostile-markers.bin'), { nonce: NONCE }],
  ['hostile-markers.bin (1 KiB cap)', () => fixture('hostile-markers.bin'), { nonce: NONCE, limits: { maxOscPayloadBytes: 1024 } }],
  ['tmux-control-633.bin pane %0', () => paneBytes(fixture('tmux-control-633.bin'), '%0'), { nonce: NONCE }],
];

describe.each(MARKER_STREAMS)('marker stream %s', (_name, load, options) => {
  const input = load();
  const whole = runMarkers([input], options);

  it('yields the same events split at every offset', () => {
    expect(whole.events.length).toBeGreaterThan(0);
    for (let at = 0; at <= input.length; at++) {
      expect(runMarkers(splitAt(input, [at]), options), `split at ${at}`).toEqual(whole);
    }
  });

  it('yields the same events one byte at a time and in seeded random chunkings', () => {
    const bytes = Array.from(input, (_, i) => input.subarray(i, i + 1));
    expect(runMarkers(bytes, options)).toEqual(whole);
    for (let k = 0; k < RANDOM_CHUNKINGS; k++) {
      const seed = SEED + k;
      const chunks = randomChunks(input, prng(seed), k % 2 ? 7 : 300);
      expect(runMarkers(chunks, options), `seed ${seed} (TSESSION_TEST_SEED=${SEED})`).toEqual(whole);
    }
  });
});

describe.each([['tmux-control-633.bin'], ['hostile-control.bin']])('control stream %s', (name) => {
  const input = fixture(name);
  const whole = runControl([input]);
  // Buffer sizes depend on chunking (a carried line grows the carry buffer); nothing else may.
  const norm = (r: ReturnType<typeof runControl>) => ({
    events: plain(r.events),
    stats: { ...r.stats, bufferBytes: 0, peakBufferBytes: 0 },
  });

  it('yields the same events split at every offset and in seeded random chunkings', () => {
    const expected = norm(whole);
    for (let at = 0; at <= input.length; at++) {
      expect(norm(runControl(splitAt(input, [at]))), `split at ${at}`).toEqual(expected);
    }
    for (let k = 0; k < RANDOM_CHUNKINGS; k++) {
      const seed = SEED + k;
      const r = runControl(randomChunks(input, prng(seed), k % 2 ? 5 : 200));
      expect(norm(r), `seed ${seed} (TSESSION_TEST_SEED=${SEED})`).toEqual(expected);
    }
  });
});

describe('facts in the recordings', () => {
  it('bash-633: trusted command lines, exit codes, the odd cwd, the forged line untrusted', () => {
    const { events, stats } = runMarkers([fixture('bash-633.bin')], { nonce: NONCE });
    expect(stats).toMatchObject({ malformed: 0, dropped: 0, dialect: '633' });
    const lines = events.flatMap((e) => (e.type === 'command-line' ? [[e.commandLine, e.trusted]] : []));
    expect(lines).toContainEqual(['echo hello', true]);
    expect(lines).toContainEqual(["sh -c 'exit 42'", true]);
    // bash's cmdhist stores the two-line loop as one line.
    expect(lines).toContainEqual(['for i in 1 2; do echo "line $i"; done', true]);
    expect(lines).toContainEqual([`echo 'quotes "x" and \\back\\slash'`, true]);
    expect(lines).toContainEqual(['rm -rf ~', false]);
    const exits = events.flatMap((e) => (e.type === 'command-finished' ? [e.exitCode] : []));
    expect(exits).toEqual(expect.arrayContaining([0, 1, 42, null, 130]));
    const cwds = events.flatMap((e) => (e.type === 'cwd' ? [e.cwd] : []));
    expect(cwds).toContain('/tmp/tsession-rec/dir with spaces ünï; x');
  });

  it('bash-133-osc7: FinalTerm markers with aid options and percent-decoded OSC 7', () => {
    const { events, stats } = runMarkers([fixture('bash-133-osc7.bin')]);
    // The session prints a forged OSC 633 E, so the best dialect *seen* is 633 — the
    // tracker, not the parser, decides what to believe; lifecycle markers are all 133.
    expect(stats).toMatchObject({ malformed: 0, dialect: '633' });
    expect(new Set(events.flatMap((e) => (e.type === 'prompt-start' ? [e.dialect] : [])))).toEqual(new Set(['133']));
    expect(events.find((e) => e.type === 'prompt-start')).toMatchObject({ dialect: '133', options: { aid: expect.any(String) } });
    const exits = events.flatMap((e) => (e.type === 'command-finished' ? [e.exitCode] : []));
    expect(exits).toEqual(expect.arrayContaining([0, 1, 42, 130]));
    const cwds = events.flatMap((e) => (e.type === 'cwd' ? [[e.cwd, e.source]] : []));
    expect(cwds).toContainEqual(['/tmp/tsession-rec/dir with spaces ünï; x', '7']);
  });

  it('hostile-markers: the documented counts', () => {
    const { events, stats } = runMarkers([fixture('hostile-markers.bin')], {
      nonce: NONCE,
      limits: { maxOscPayloadBytes: 1024 },
    });
    expect(stats).toMatchObject({ dropped: 1, aborted: 3, malformed: 7 });
    expect(events.filter((e) => e.type === 'command-line')).toEqual([
      expect.objectContaining({ commandLine: 'rm -rf ~', trusted: false }),
      expect.objectContaining({ commandLine: 'rm -rf ~', trusted: false }),
      expect.objectContaining({ commandLine: 'echo a', trusted: false }),
      expect.objectContaining({ commandLine: ';\\x41 \\x4 end\\', trusted: true }),
    ]);
    expect(events.filter((e) => e.type === 'cwd').map((e) => e.type === 'cwd' && e.cwd)).toEqual([
      '/tmp/\uFFFD\uFFFD/bad',
      '/tmp',
    ]);
  });
});
