/**
 * Bundles the command line for start-up speed. Why: on the 2-core benchmark
 * machine an ES-module entry costs ~15–20 ms more than a CommonJS one before
 * the first line runs, resolving + loading ~40 separate modules costs
 * another ~30 ms, and `tsession save` has 150 ms for everything. tsc still
 * compiles every module to dist/ (tests and the TUI load those).
 *
 * - dist/tsession.cjs, the package's bin: src/cli/bin.ts, a few KB. It starts
 *   a save's tmux read, then requires the command line.
 * - dist/tsession-main.cjs: src/cli/main.ts and every command.
 * - dist/tsession-keeper.cjs, dist/tsession-typist.cjs: background processes
 *   that load only what they use.
 *
 * The interface (Ink, React, yoga's WebAssembly, worker threads) is not
 * bundled: `import('../tui/run.js')` stays a runtime import of
 * dist/src/tui/run.js, so a bare `tsession` loads the same ES modules as
 * before and `tsession save` never parses them.
 */
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

/** Imports of the interface resolve to the tsc-compiled ES module at run time. */
const tuiStaysExternal = {
  name: 'tui-stays-external',
  setup(b) {
    b.onResolve({ filter: /\/tui\/run\.js$/ }, () => ({ path: './src/tui/run.js', external: true }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // import.meta.url in a CommonJS bundle: this file's own URL.
  define: { 'import.meta.url': '__tsessionBundleUrl' },
  banner: { js: "const __tsessionBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  legalComments: 'none',
  // Less to parse at every start (~10 ms here); names stay, so --debug stacks read.
  minifyWhitespace: true,
  // --debug stacks point at src/…ts: the bin turns Node's source maps on only
  // then (src/cli/bin.ts), so a normal start never reads a .map file; the
  // one comment line the bundle carries costs nothing measurable.
  sourcemap: 'linked',
  sourcesContent: false,
  minifySyntax: true,
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: [join(root, 'src', 'cli', 'main.ts')],
  outfile: join(dist, 'tsession-main.cjs'),
  // Native and ES-only packages the commands load on demand stay in node_modules.
  external: ['node-pty', '@xterm/headless', '@xterm/addon-serialize', 'ink', 'react', 'msgpackr'],
  plugins: [tuiStaysExternal],
});

// The PTY keeper alone: one per user and long-lived, so it loads nothing else (README, PTY design).
await build({
  ...common,
  entryPoints: [join(root, 'src', 'pty-host', 'keeper-main.ts')],
  outfile: join(dist, 'tsession-keeper.cjs'),
  external: ['node-pty', 'msgpackr'],
});

// The restore typist alone: started while a hundred shells compete for the CPU, it must start fast.
await build({
  ...common,
  entryPoints: [join(root, 'src', 'cli', 'typist.ts')],
  outfile: join(dist, 'tsession-typist.cjs'),
});

await build({
  ...common,
  entryPoints: [join(root, 'src', 'cli', 'bin.ts')],
  outfile: join(dist, 'tsession.cjs'),
});

