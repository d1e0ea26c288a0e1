/**
 * Shell start-up cost of the integration scripts: median wall time of an
 * interactive `<shell> -i -c exit` with an isolated rc that sources the
 * script, against the same rc without it. Target: under 10 ms added.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shellScriptPath, type IntegratedShell } from '../src/cli/commands/shell-integration.js';
import { median, verdict, type BenchSection } from './harness.js';

/** Tunables of this section. */
const SHELL_BENCH = {
  /** Measured start-ups per variant (interleaved with/without). */
  runs: 30,
  /** Unmeasured start-ups first: page cache, nonce directory creation. */
  warmup: 3,
  /** Added start-up time the issue allows. */
  targetMs: 10,
} as const;

const SHELLS: readonly IntegratedShell[] = ['bash', 'zsh', 'fish'];

interface Variant {
  readonly file: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

/** Build the two rc variants for a shell in `root`; the probe prints 1 only when the script loaded. */
function variants(shell: IntegratedShell, root: string): { without: Variant; with: Variant; probe: Variant } {
  const script = shellScriptPath(shell);
  const base = (name: string): NodeJS.ProcessEnv => {
    const dir = join(root, name);
    for (const d of ['home', 'zdot', 'config', 'data', 'run']) mkdirSync(join(dir, d), { recursive: true, mode: 0o700 });
    return {
      PATH: process.env.PATH,
      HOME: join(dir, 'home'),
      ZDOTDIR: join(dir, 'zdot'),
      XDG_CONFIG_HOME: join(dir, 'config'),
      XDG_DATA_HOME: join(dir, 'data'),
      XDG_RUNTIME_DIR: join(dir, 'run'),
      TERM: 'xterm-256color',
      LANG: 'C.UTF-8',
    };
  };
  const make = (name: string, sourced: boolean, command: string): Variant => {
    const env = base(name);
    const dir = join(root, name);
    const prompt = { bash: "PS1='\\u@\\h:\\w\\$ '", zsh: "PS1='%n@%m %~ %# '", fish: '' }[shell];
    const rc = `${prompt}\n${sourced ? `source '${script}'\n` : ''}`;
    switch (shell) {
      case 'bash':
        writeFileSync(join(dir, 'bashrc'), rc);
        return { file: 'bash', args: ['--noprofile', '--rcfile', join(dir, 'bashrc'), '-i', '-c', command], env };
      case 'zsh':
        writeFileSync(join(dir, 'zdot', '.zshrc'), rc);
        return { file: 'zsh', args: ['-d', '-i', '-c', command], env };
      case 'fish':
        writeFileSync(join(dir, 'rc.fish'), rc);
        return { file: 'fish', args: ['--no-config', '-i', '-C', `source ${join(dir, 'rc.fish')}`, '-c', command], env };
    }
  };
  return {
    without: make('without', false, 'exit'),
    with: make('with', true, 'exit'),
    probe: make('probe', true, 'echo "$__tsession_loaded"'),
  };
}

function startOnce(v: Variant): number {
  const t0 = performance.now();
  const r = spawnSync(v.file, v.args, { env: v.env, stdio: 'ignore' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`Expected ${v.file} ${v.args.join(' ')} to exit 0, got ${r.status ?? r.signal}`);
  return ms;
}

function hasBinary(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** Start-up cost per shell, with vs without the integration script. */
export async function bench(): Promise<BenchSection> {
  const root = mkdtempSync(join(tmpdir(), 'tsession-bench-shell-'));
  const results: Record<string, unknown> = { runs: SHELL_BENCH.runs, targetMs: SHELL_BENCH.targetMs };
  const summary: string[] = [];
  try {
    for (const shell of SHELLS) {
      if (!hasBinary(shell)) {
        summary.push(`${shell}: not installed, skipped`);
        results[shell] = { skipped: 'not installed' };
        continue;
      }
      const v = variants(shell, join(root, shell));
      const loaded = spawnSync(v.probe.file, v.probe.args, { env: v.probe.env, encoding: 'utf8' }).stdout.trim() === '1';
      if (!loaded) throw new Error(`Expected the ${shell} script to load in the benchmark rc, it did not`);
      for (let i = 0; i < SHELL_BENCH.warmup; i++) {
        startOnce(v.without);
        startOnce(v.with);
      }
      // Interleaved so that machine noise hits both variants alike.
      const without: number[] = [];
      const withScript: number[] = [];
      for (let i = 0; i < SHELL_BENCH.runs; i++) {
        without.push(startOnce(v.without));
        withScript.push(startOnce(v.with));
      }
      const baseMs = median(without);
      const withMs = median(withScript);
      const addedMs = withMs - baseMs;
      const ok = addedMs < SHELL_BENCH.targetMs;
      results[shell] = { baselineMs: round(baseMs), withScriptMs: round(withMs), addedMs: round(addedMs), ok };
      summary.push(
        `${shell}: start-up ${round(baseMs)} ms → ${round(withMs)} ms with the script, ` +
          `+${round(addedMs)} ms (target < ${SHELL_BENCH.targetMs} ms) ${verdict(ok)}`,
      );
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return { name: 'shell', results, summary };
}

const round = (ms: number) => Math.round(ms * 100) / 100;
