/**
 * `npm run bench`: runs every section (or those named in argv), prints
 * medians and ratios, and writes bench/results/*.json.
 */
import { writeResults, type BenchSection } from './harness.js';

interface SectionModule {
  bench: () => Promise<BenchSection>;
}

// Section name → module file. Loaded lazily (and by computed path, so a
// section still being written does not break the build of the others).
const SECTIONS: Record<string, string> = {
  parser: './parser.js',
  shell: './shell-integration.js',
  save: './save-restore.js',
  tui: './tui.js',
  preview: './tui-preview.js',
  watch: './watch.js',
  crash: './crash-restore.js',
  pty: './pty.js',
  unfreeze: './unfreeze.js',
  rc: './restore-rc.js',
  startup: './startup.js',
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const names = wanted.length ? wanted : Object.keys(SECTIONS);
  const done: BenchSection[] = [];
  for (const name of names) {
    const file = SECTIONS[name];
    if (!file) {
      console.error(`Expected a section name (${Object.keys(SECTIONS).join(', ')}), got ${name}`);
      process.exitCode = 2;
      return;
    }
    let mod: SectionModule;
    try {
      mod = (await import(file)) as SectionModule;
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
