/**
 * `npm run bench startup`: what the bundles' source maps cost a normal start.
 * `tsession --version` from a copy of dist/'s bundles with their maps (maps
 * linked, Node's map support off unless --debug) against a copy with the map
 * comment cut and no map beside them — both in one temp dir, so the file
 * system is the same — in alternation so the shared machine's load hits both
 * alike. Medians; warm-up discarded.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, repoRoot, type BenchSection } from './harness.js';

const STARTUP_BENCH = { warmup: 5, runs: 60 } as const;

/** Milliseconds of one `node BIN --version`, start to exit. */
function once(bin: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`Expected ${bin} --version to exit 0, got ${r.status}: ${r.stderr}`);
  return performance.now() - t0;
}

export function bench(): Promise<BenchSection> {
  return Promise.resolve(run());
}

function run(): BenchSection {
  const dist = join(repoRoot(), 'dist');
  const root = mkdtempSync(join(tmpdir(), 'tsession-startup-'));
  const maps = join(root, 'maps');
  const bare = join(root, 'bare');
  try {
    mkdirSync(maps);
    mkdirSync(bare);
    for (const f of ['tsession.cjs', 'tsession-main.cjs']) {
      copyFileSync(join(dist, f), join(maps, f));
      copyFileSync(join(dist, `${f}.map`), join(maps, `${f}.map`));
      writeFileSync(join(bare, f), readFileSync(join(dist, f), 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'));
    }
    const mapped: number[] = [];
    const unmapped: number[] = [];
    for (let i = 0; i < STARTUP_BENCH.warmup + STARTUP_BENCH.runs; i++) {
      const a = once(join(maps, 'tsession.cjs'));
      const b = once(join(bare, 'tsession.cjs'));
      if (i < STARTUP_BENCH.warmup) continue;
      mapped.push(a);
      unmapped.push(b);
    }
    const withMaps = median(mapped);
    const without = median(unmapped);
    const ratio = withMaps / without;
    return {
      name: 'startup',
      results: { runs: STARTUP_BENCH.runs, versionWithMapsMs: withMaps, versionWithoutMapsMs: without, ratio },
      summary: [`tsession --version: ${withMaps.toFixed(1)} ms with source maps linked, ${without.toFixed(1)} ms without (×${ratio.toFixed(3)})`],
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
