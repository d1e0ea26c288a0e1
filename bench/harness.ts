/**
 * Benchmark plumbing shared by every section: timing, medians, and the
 * JSON result file. Sections live in their own modules and are run by
 * bench/run.ts; each returns numbers, never asserts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One benchmark section's machine-readable results and human summary lines. */
export interface BenchSection {
  readonly name: string;
  /** Free-form numbers (medians in ms, MB/s, ratios, targets met). */
  readonly results: Record<string, unknown>;
  /** Lines printed after the run, e.g. "400-pane save: 92 ms (target ≤ 150 ms) OK". */
  readonly summary: readonly string[];
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('Expected at least one sample, got none');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Run `fn` `warmup` times unmeasured, then `runs` times; returns the samples in ms. */
export async function sample(
  fn: () => unknown | Promise<unknown>,
  runs: number,
  warmup = 1,
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/** Directory of this repository (works from src and from dist/). */
export function repoRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.includes(`${'/'}dist${'/'}`) || here.endsWith('/dist/bench')
    ? join(here, '..', '..')
    : join(here, '..');
}

/** Write results as JSON under bench/results/, returning the path. */
export function writeResults(sections: readonly BenchSection[]): string {
  const dir = join(repoRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const path = join(dir, `bench-${stamp}.json`);
  const body = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency,
    sections: sections.map((s) => ({ name: s.name, results: s.results })),
  };
  writeFileSync(path, JSON.stringify(body, null, 2) + '\n');
  writeFileSync(join(dir, 'latest.json'), JSON.stringify(body, null, 2) + '\n');
  return path;
}

/** Format a pass/fail mark for a target. */
export function verdict(ok: boolean): string {
  return ok ? 'OK' : 'MISSED';
}
