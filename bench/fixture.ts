/**
 * Builds layout fixtures on an isolated tmux server for benchmarks and
 * integration tests: S sessions × W windows × P panes, each pane in its own
 * directory, some running programs. One tmux invocation builds it all.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Shape of a fixture. */
export interface FixtureShape {
  readonly sessions: number;
  readonly windows: number;
  readonly panes: number;
  /** Every Nth pane runs `tail -f` on a file (0: none). */
  readonly programEvery: number;
}

/** The 120- and 400-pane fixtures of issue 3's benchmark. */
export const FIXTURES = {
  p120: { sessions: 10, windows: 4, panes: 3, programEvery: 7 },
  p400: { sessions: 20, windows: 5, panes: 4, programEvery: 7 },
} as const satisfies Record<string, FixtureShape>;

/** Server selection for the fixture: argv prefix and environment. */
export interface FixtureServer {
  readonly tmuxArgs: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

function tmux(server: FixtureServer, args: string[], timeout = 60_000): string {
  const r = spawnSync('tmux', [...server.tmuxArgs, ...args], { env: server.env, encoding: 'utf8', timeout });
  if (r.status !== 0) throw new Error(`tmux ${args[0]} failed: ${r.stderr}`);
  return r.stdout;
}

/** tmux argv (one batch) that builds `shape` with pane dirs under `root`. */
export function fixtureCommands(shape: FixtureShape, root: string): string[][] {
  const cmds: string[][] = [];
  for (let s = 0; s < shape.sessions; s++) {
    const name = `fx${s}`;
    for (let w = 0; w < shape.windows; w++) {
      for (let p = 0; p < shape.panes; p++) {
        const dir = join(root, `s${s}`, `w${w}`, `p${p}`);
        mkdirSync(dir, { recursive: true });
        if (w === 0 && p === 0) cmds.push(['new-session', '-d', '-s', name, '-x', '160', '-y', '48', '-c', dir]);
        else if (p === 0) cmds.push(['new-window', '-d', '-t', `${name}:${w}`, '-c', dir]);
        else cmds.push(['split-window', '-t', `${name}:${w}`, p % 2 ? '-h' : '-v', '-c', dir]);
      }
      cmds.push(['select-layout', '-t', `${name}:${w}`, 'tiled']);
    }
  }
  return cmds;
}

/** Build the fixture; resolves once every pane's shell is up and programs run. */
export async function buildFixture(server: FixtureServer, shape: FixtureShape, root: string): Promise<void> {
  // One tmux client message holds ~16 KB of argv: send the build in chunks.
  const cmds = fixtureCommands(shape, root);
  for (let i = 0; i < cmds.length; i += 60) tmux(server, cmds.slice(i, i + 60).flatMap((c, j) => (j ? [';', ...c] : c)));
  const total = shape.sessions * shape.windows * shape.panes;
  // Wait for shells: a pane whose shell drew its prompt has its cursor moved.
  const deadline = Date.now() + 120_000;
  for (;;) {
    const out = tmux(server, ['list-panes', '-a', '-F', '#{cursor_x}']);
    const ready = out.split('\n').filter((l) => l && l !== '0').length;
    if (ready >= total) break;
    if (Date.now() > deadline) throw new Error(`Expected ${total} shells to start, ${ready} did`);
    await new Promise((r) => setTimeout(r, 100));
  }
  if (shape.programEvery > 0) {
    const ids = tmux(server, ['list-panes', '-a', '-F', '#{pane_id}']).split('\n').filter(Boolean);
    const keys: string[][] = [];
    ids.forEach((id, i) => {
      if (i % shape.programEvery !== 0) return;
      const file = join(root, `log ${i}.txt`);
      writeFileSync(file, `line of pane ${i}\n`);
      keys.push(['send-keys', '-t', id, '-l', `tail -f '${file}'`], ['send-keys', '-t', id, 'Enter']);
    });
    for (let i = 0; i < keys.length; i += 60) tmux(server, keys.slice(i, i + 60).flatMap((c, j) => (j ? [';', ...c] : c)));
    const want = Math.ceil(ids.length / shape.programEvery);
    for (;;) {
      const out = tmux(server, ['list-panes', '-a', '-F', '#{pane_current_command}']);
      if (out.split('\n').filter((l) => l === 'tail').length >= want) break;
      if (Date.now() > deadline) throw new Error(`Expected ${want} programs to start`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
