/**
 * `npm run bench`: runs every section (or those named in argv), prints
 * medians and ratios, and writes bench/results/*.json.
 */
import { writeResults, type BenchSection } from './harness.js';

type SectionLoader = () => Promise<{ bench: () => Promise<BenchSection> }>;

// Each section is loaded lazily so `npm run bench parser` loads only the parser.
const SECTIONS: Record<string, SectionLoader> = {
  parser: () => import('./parser.js'),
  shell: () => import('./shell-integration.js'),
  save: () => import('./save-restore.js'),
  tui: () => import('./tui.js'),
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const names = wanted.length ? wanted : Object.keys(SECTIONS);
  const done: BenchSection[] = [];
  for (const name of names) {
    const load = SECTIONS[name];
    if (!load) {
      console.error(`Expected a section name (${Object.keys(SECTIONS).join(', ')}), got ${name}`);
      process.exitCode = 2;
      return;
    }
    let mod;
    try {
      mod = await load();
    } catch (e) {
      console.error(`[${name}] not available: ${(e as Error).message}`);
      continue;
    }
    console.log(`\n== ${name} ==`);
    const section = await mod.bench();
    for (const line of section.summary) console.log(line);
    done.push(section);
  }
  const path = writeResults(done);
  console.log(`\nresults: ${path}`);
}

await main();
