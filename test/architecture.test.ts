/**
 * The walls of DESIGN.md's layout table, kept up by a test: who may import
 * whom, no value cycles, one module that spawns tmux, one module that decides
 * where files live. Reads the program's own files (src/, sessions/,
 * checkpoints/, parsers/; not bench/ or test/) with the TypeScript parser.
 * Every failure names the file, the line and the edge; the checks are also
 * run on a made-up tree below, so a wall that stops catching fails here too.
 */
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { buildGraph, cycles, cycleThrough, projectFiles, readGraph, type Edge, type ImportGraph } from './helpers/import-graph.js';

/** The folders that make the program; bench/ is a separate tool and test/ may reach anything. */
const PRODUCT = ['parsers/', 'checkpoints/', 'sessions/', 'src/'] as const;

const under = (file: string, folder: string) => file.startsWith(folder);
const ours = (e: Edge) => !e.external;

/**
 * The unit a folder-level cycle is counted in: a subject of sessions/ or a
 * room of src/ (src/cli/commands belongs to src/cli), else the top folder.
 * A file directly in src/ (context, errors, version) is a unit of its own:
 * they are unrelated modules, not a room, and a cycle through one of them
 * still shows between the rooms it joins.
 */
function unitOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'src' || parts[0] === 'sessions') return parts.length > 2 ? `${parts[0]}/${parts[1]}` : file;
  return parts[0]!;
}

const describeEdge = (e: Edge) => `${e.from}:${e.line} imports ${e.to}${e.kind === 'type' ? ' (type only)' : ''}${e.dynamic ? ' (dynamic)' : ''}`;

/** DESIGN.md's "may import" column, one rule per row; `breaks` says whether an edge goes through the wall. */
const WALLS: readonly { readonly rule: string; readonly breaks: (e: Edge) => boolean }[] = [
  {
    rule: 'parsers/ imports nothing of ours outside parsers/ and no package or built-in (pure, no I/O)',
    breaks: (e) => under(e.from, 'parsers/') && (e.external || !under(e.to, 'parsers/')),
  },
  {
    rule: 'checkpoints/ imports only parsers/, and only with `import type` (`import { type X }` still loads the module)',
    breaks: (e) => under(e.from, 'checkpoints/') && ours(e) && !under(e.to, 'checkpoints/') && !(under(e.to, 'parsers/') && e.kind === 'type'),
  },
  {
    rule: 'sessions/ never imports src/',
    breaks: (e) => under(e.from, 'sessions/') && ours(e) && under(e.to, 'src/'),
  },
  {
    rule: 'src/ops/ never imports src/cli/ or src/tui/',
    breaks: (e) => under(e.from, 'src/ops/') && ours(e) && (under(e.to, 'src/cli/') || under(e.to, 'src/tui/')),
  },
  {
    rule: 'nothing outside src/cli/ imports src/cli/ (no use case lives in a CLI command)',
    breaks: (e) => !under(e.from, 'src/cli/') && ours(e) && under(e.to, 'src/cli/'),
  },
  {
    rule: 'src/ipc/ imports nothing of src/ outside it (a transport: no use case, CLI, TUI, daemon or PTY host)',
    breaks: (e) => under(e.from, 'src/ipc/') && ours(e) && under(e.to, 'src/') && !under(e.to, 'src/ipc/'),
  },
  {
    rule: 'node-pty is imported only in sessions/pty/ (the narrow adapter)',
    breaks: (e) => e.external && e.to === 'node-pty' && !under(e.from, 'sessions/pty/'),
  },
];

/** Every edge that goes through a wall, as "file:line imports target — rule". */
function wallBreaks(g: ImportGraph): string[] {
  return WALLS.flatMap((w) => g.edges.filter(w.breaks).map((e) => `${describeEdge(e)} — ${w.rule}`));
}

const valueEdges = (g: ImportGraph) => g.edges.filter((e) => ours(e) && e.kind === 'value' && g.sources.has(e.to));

/** Value import cycles between files, each as the shortest loop through one of its files, edge by edge. */
function fileCycles(g: ImportGraph): string[] {
  const edges = valueEdges(g);
  const next = (f: string) => edges.filter((e) => e.from === f).map((e) => e.to);
  return cycles(g.files, next).map((scc) => {
    const loop = cycleThrough([...scc].sort()[0]!, new Set(scc), next);
    const steps = loop.slice(1).map((to, i) => edges.find((e) => e.from === loop[i] && e.to === to)!);
    return `value cycle between ${scc.length} files: ${steps.map(describeEdge).join('; ')}`;
  });
}

/**
 * Value import cycles between folders (units): each knot of folders that
 * reach one another, with every folder-to-folder step inside it and the file
 * edges that make the step, so the one to cut can be chosen.
 */
function folderCycles(g: ImportGraph): string[] {
  const edges = valueEdges(g).filter((e) => unitOf(e.from) !== unitOf(e.to));
  const units = [...new Set(g.files.map(unitOf))].sort();
  const next = (u: string) => [...new Set(edges.filter((e) => unitOf(e.from) === u).map((e) => unitOf(e.to)))];
  return cycles(units, next).map((scc) => {
    const knot = new Set(scc);
    const steps = [...knot].sort().flatMap((from) =>
      next(from)
        .filter((to) => knot.has(to))
        .sort()
        .map((to) => {
          const making = edges.filter((e) => unitOf(e.from) === from && unitOf(e.to) === to);
          const shown = making.slice(0, 3).map(describeEdge).join(', ');
          return `${from} → ${to} (${shown}${making.length > 3 ? `, and ${making.length - 3} more` : ''})`;
        }),
    );
    return `value cycle between folders ${[...knot].sort().join(', ')}: ${steps.join('; ')}`;
  });
}

/** The modules that may import node:child_process, and what each runs. Only sessions/tmux/ may run tmux. */
const CHILD_PROCESS_ALLOWED: Readonly<Record<string, string>> = {
  'sessions/health/probes.ts': 'stty and perl against a pane tty, bounded by a timeout',
  'src/tui/services.ts': 'the built CLI (`tsession save`) so a long save does not block the TUI',
  'src/pty-host/spawn-detached.ts': 'the PTY host, its keeper and the restore typist, detached (setsid), so they outlive the command that started them',
};
const SPAWNERS = new Set(['spawn', 'spawnSync', 'execFile', 'execFileSync', 'exec', 'execSync', 'fork']);

/** Imports of node:child_process outside sessions/tmux/ and the allowlist, and any spawn of tmux outside sessions/tmux/. */
function tmuxSpawners(g: ImportGraph, allowed: Readonly<Record<string, string>> = CHILD_PROCESS_ALLOWED): string[] {
  const out: string[] = [];
  for (const e of g.edges) {
    if (!e.external || (e.to !== 'node:child_process' && e.to !== 'child_process')) continue;
    if (under(e.from, 'sessions/tmux/') || e.from in allowed) continue;
    out.push(`${describeEdge(e)} — only sessions/tmux/ runs processes, besides the allowlist in test/architecture.test.ts`);
  }
  for (const [file, sf] of g.sources) {
    if (under(file, 'sessions/tmux/')) continue;
    walk(sf, (node) => {
      if (!ts.isCallExpression(node)) return;
      const callee = ts.isPropertyAccessExpression(node.expression) ? node.expression.name : node.expression;
      if (!ts.isIdentifier(callee) || !SPAWNERS.has(callee.text)) return;
      const first = node.arguments[0];
      if (first && ts.isStringLiteralLike(first) && /^(\S*\/)?tmux(\s|$)/.test(first.text)) {
        out.push(`${file}:${lineOf(sf, node)} runs tmux (${callee.text}('${first.text}', …)) — only sessions/tmux/ spawns tmux`);
      }
    });
  }
  for (const file of Object.keys(allowed)) {
    if (g.sources.has(file) && !g.edges.some((e) => e.from === file && (e.to === 'node:child_process' || e.to === 'child_process'))) {
      out.push(`${file} no longer imports node:child_process — remove it from CHILD_PROCESS_ALLOWED in test/architecture.test.ts`);
    }
  }
  return out;
}

/** The one module that decides where files live. */
const PATHS_MODULE = 'checkpoints/paths.ts';
/** Files that may name a fixed system directory, and why it is not a decision about our files. */
const SYSTEM_DIR_ALLOWED: Readonly<Record<string, string>> = {
  'sessions/tmux/server.ts': "finds tmux's own socket the way tmux does ($TMUX_TMPDIR, else /tmp)",
};
const SYSTEM_DIR = /^\/(tmp|run|var\/run|dev\/shm)(\/|$)/;
const RUNTIME_FILE = /\.(lock|sock|socket|pid)$/;

/**
 * Path decisions outside checkpoints/paths.ts: reading $XDG_*, calling
 * os.homedir()/os.tmpdir(), naming /tmp or /run, building a path with a
 * `tsession` segment, or naming a lock, socket or pid file.
 */
function pathDeciders(g: ImportGraph, systemDirAllowed: Readonly<Record<string, string>> = SYSTEM_DIR_ALLOWED): string[] {
  const out: string[] = [];
  const rule = `only ${PATHS_MODULE} decides where files live`;
  for (const e of g.edges) {
    if (e.from === PATHS_MODULE || !e.external || (e.to !== 'node:os' && e.to !== 'os')) continue;
    for (const name of e.names.filter((n) => n === 'homedir' || n === 'tmpdir')) out.push(`${e.from}:${e.line} imports ${name} from ${e.to} — ${rule}`);
  }
  for (const [file, sf] of g.sources) {
    if (file === PATHS_MODULE) continue;
    const at = (node: ts.Node, what: string) => out.push(`${file}:${lineOf(sf, node)} ${what} — ${rule}`);
    walk(sf, (node) => {
      if (ts.isPropertyAccessExpression(node)) {
        const name = node.name.text;
        if (name.startsWith('XDG_')) at(node, `reads $${name}`);
        if ((name === 'homedir' || name === 'tmpdir') && ts.isCallExpression(node.parent)) at(node, `calls ${node.getText(sf)}()`);
      } else if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression) && node.argumentExpression.text.startsWith('XDG_')) {
        at(node, `reads $${node.argumentExpression.text}`);
      } else if (ts.isBindingElement(node)) {
        const key = node.propertyName ?? node.name;
        if (ts.isIdentifier(key) && key.text.startsWith('XDG_')) at(node, `reads $${key.text}`);
      } else if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
        const text = node.text;
        const starts = ts.isStringLiteralLike(node) || ts.isTemplateHead(node);
        const ends = ts.isStringLiteralLike(node) || ts.isTemplateTail(node);
        if (starts && SYSTEM_DIR.test(text) && !(file in systemDirAllowed)) at(node, `names ${text.split('/').slice(0, 2).join('/')}`);
        if (ends && RUNTIME_FILE.test(text) && !ts.isImportDeclaration(node.parent) && !ts.isExportDeclaration(node.parent)) {
          at(node, `names a runtime file (*${text.match(RUNTIME_FILE)![0]})`);
        }
      } else if (ts.isCallExpression(node) && isPathJoin(node) && node.arguments.some((a) => ts.isStringLiteralLike(a) && /^tsession([-.]|$)/.test(a.text))) {
        at(node, `builds a path with a tsession segment (${node.getText(sf).slice(0, 60)})`);
      }
    });
  }
  return out;
}

/** Writing to the terminal or reading argv below src/ ("src/ only wires and shows"). */
function printersBelowSrc(g: ImportGraph): string[] {
  const out: string[] = [];
  for (const [file, sf] of g.sources) {
    if (under(file, 'src/')) continue;
    walk(sf, (node) => {
      if (!ts.isPropertyAccessExpression(node) || !ts.isIdentifier(node.expression)) return;
      const what = `${node.expression.text}.${node.name.text}`;
      if (/^process\.(stdout|stderr|argv)$/.test(what) || node.expression.text === 'console') {
        out.push(`${file}:${lineOf(sf, node)} uses ${what} — nothing below src/ prints to the terminal or reads argv`);
      }
    });
  }
  return out;
}

/** `join(…)`/`resolve(…)` from node:path, imported by name or as `path.` / `posix.`. */
function isPathJoin(node: ts.CallExpression): boolean {
  const callee = node.expression;
  if (ts.isIdentifier(callee)) return callee.text === 'join' || callee.text === 'resolve';
  return ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && ['path', 'posix'].includes(callee.expression.text) && ['join', 'resolve'].includes(callee.name.text);
}

function walk(node: ts.Node, visit: (n: ts.Node) => void): void {
  visit(node);
  ts.forEachChild(node, (c) => walk(c, visit));
}

function lineOf(sf: ts.SourceFile, node: ts.Node): number {
  return sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
}

/** Bundles loaded at run time by file name (scripts/bundle.mjs), and the source each is built from. */
const BUNDLES = { 'tsession-main.cjs': 'src/cli/main.ts' };

const graph = readGraph(
  projectFiles((f) => PRODUCT.some((p) => under(f, p))),
  BUNDLES,
);

describe('the walls of DESIGN.md hold', () => {
  it('reads the whole program: every product folder, every relative import resolved, every dynamic import literal', () => {
    expect(graph.problems.map((p) => `${p.file}:${p.line} ${p.message}`)).toEqual([]);
    for (const p of PRODUCT) expect(graph.files.some((f) => under(f, p)), `files under ${p}`).toBe(true);
    expect(graph.files.length).toBeGreaterThan(100);
  });

  it.each(WALLS.map((w) => [w.rule, w] as const))('%s', (_rule, wall) => {
    expect(graph.edges.filter(wall.breaks).map(describeEdge)).toEqual([]);
  });

  it('no value import cycle between folders (sessions/<subject>, src/<room>, checkpoints, parsers)', () => {
    expect(folderCycles(graph)).toEqual([]);
  });

  it('no value import cycle between files', () => {
    expect(fileCycles(graph)).toEqual([]);
  });

  it('only sessions/tmux/ spawns tmux; other processes only from the allowlisted modules', () => {
    expect(tmuxSpawners(graph)).toEqual([]);
  });

  it('only checkpoints/paths.ts decides where files live (XDG, home, /tmp, runtime: nonces, locks, sockets)', () => {
    expect(pathDeciders(graph)).toEqual([]);
  });

  it('nothing below src/ prints to the terminal or reads argv', () => {
    expect(printersBelowSrc(graph)).toEqual([]);
  });
});

describe('the walls catch what they are for (a made-up tree)', () => {
  const tree = (files: Record<string, string>) => buildGraph(new Map(Object.entries(files)));

  it('tells type edges from value edges: `import type` is erased, `import { type X }` and `import()` load', () => {
    const g = tree({
      'a/x.ts': [
        "import type { T } from './t.js';",
        "import { type U } from './u.js';",
        "export type { V } from './v.js';",
        "export { w } from './w.js';",
        "import './side.js';",
        "type M = typeof import('./m.js');",
        "const lazy = () => import('./d.js');",
      ].join('\n'),
      ...Object.fromEntries(['t', 'u', 'v', 'w', 'side', 'm', 'd'].map((n) => [`a/${n}.ts`, ''])),
    });
    const kinds = Object.fromEntries(g.edges.map((e) => [e.to, `${e.kind}${e.dynamic ? ' dynamic' : ''}:${e.line}`]));
    expect(kinds).toEqual({
      'a/t.ts': 'type:1',
      'a/u.ts': 'value:2',
      'a/v.ts': 'type:3',
      'a/w.ts': 'value:4',
      'a/side.ts': 'value:5',
      'a/m.ts': 'type dynamic:6',
      'a/d.ts': 'value dynamic:7',
    });
  });

  it('reports an import through a wall, with the file, the line and the edge', () => {
    const g = tree({
      'parsers/p.ts': "\nimport { x } from '../src/cli/commands/save.js';",
      'checkpoints/c.ts': "import { type Ev } from '../parsers/p.js';\nimport type { T } from '../parsers/p.js';",
      'sessions/live/s.ts': "import type { C } from '../../src/context.js';",
      'src/ops/o.ts': "const m = () => import('../tui/run.js');",
      'src/daemon/d.ts': "import { save } from '../cli/commands/save.js';",
      'src/cli/commands/save.ts': "import { readFileSync } from 'node:fs';",
      'src/tui/run.ts': "import pty from 'node-pty';",
      'src/ipc/server.ts': "import type { Ctx } from '../context.js';\nimport { frameHeader } from '../../parsers/frame-decoder.js';",
      'src/context.ts': '',
      'parsers/frame-decoder.ts': '',
    });
    expect(wallBreaks(g)).toEqual([
      'parsers/p.ts:2 imports src/cli/commands/save.ts — parsers/ imports nothing of ours outside parsers/ and no package or built-in (pure, no I/O)',
      'checkpoints/c.ts:1 imports parsers/p.ts — checkpoints/ imports only parsers/, and only with `import type` (`import { type X }` still loads the module)',
      'sessions/live/s.ts:1 imports src/context.ts (type only) — sessions/ never imports src/',
      'src/ops/o.ts:1 imports src/tui/run.ts (dynamic) — src/ops/ never imports src/cli/ or src/tui/',
      'parsers/p.ts:2 imports src/cli/commands/save.ts — nothing outside src/cli/ imports src/cli/ (no use case lives in a CLI command)',
      'src/daemon/d.ts:1 imports src/cli/commands/save.ts — nothing outside src/cli/ imports src/cli/ (no use case lives in a CLI command)',
      'src/ipc/server.ts:1 imports src/context.ts (type only) — src/ipc/ imports nothing of src/ outside it (a transport: no use case, CLI, TUI, daemon or PTY host)',
      'src/tui/run.ts:1 imports node-pty — node-pty is imported only in sessions/pty/ (the narrow adapter)',
    ]);
  });

  it('reports value cycles between files and between folders, not type-only ones', () => {
    const g = tree({
      'src/ops/a.ts': "import { b } from '../daemon/b.js';",
      'src/daemon/b.ts': "import { c } from './c.js';",
      'src/daemon/c.ts': "import { a } from '../ops/a.js';",
      'src/tui/t.ts': "import type { U } from '../ops/u.js';",
      'src/ops/u.ts': "import { t } from '../tui/t.js';",
    });
    expect(fileCycles(g)).toEqual([
      'value cycle between 3 files: src/daemon/b.ts:1 imports src/daemon/c.ts; src/daemon/c.ts:1 imports src/ops/a.ts; src/ops/a.ts:1 imports src/daemon/b.ts',
    ]);
    expect(folderCycles(g)).toEqual([
      'value cycle between folders src/daemon, src/ops: src/daemon → src/ops (src/daemon/c.ts:1 imports src/ops/a.ts); src/ops → src/daemon (src/ops/a.ts:1 imports src/daemon/b.ts)',
    ]);
  });

  it('reports a module outside sessions/tmux/ that spawns tmux or imports child_process unlisted', () => {
    const g = tree({
      'sessions/tmux/client.ts': "import { spawn } from 'node:child_process';\nspawn('tmux', []);",
      'src/tui/services.ts': "import { spawnSync } from 'node:child_process';\nspawnSync('tmux', ['ls']);",
      'sessions/health/probes.ts': "import * as cp from 'node:child_process';\ncp.execFile('stty', []);",
      'src/daemon/d.ts': "import { execFileSync } from 'child_process';",
    });
    expect(tmuxSpawners(g)).toEqual([
      'src/daemon/d.ts:1 imports child_process — only sessions/tmux/ runs processes, besides the allowlist in test/architecture.test.ts',
      "src/tui/services.ts:2 runs tmux (spawnSync('tmux', …)) — only sessions/tmux/ spawns tmux",
    ]);
    expect(tmuxSpawners(tree({ 'src/x.ts': '' }), { 'src/x.ts': 'gone' })).toEqual([
      'src/x.ts no longer imports node:child_process — remove it from CHILD_PROCESS_ALLOWED in test/architecture.test.ts',
    ]);
  });

  it('reports path decisions outside checkpoints/paths.ts', () => {
    const g = tree({
      'checkpoints/paths.ts': "import { homedir } from 'node:os';\nconst r = process.env.XDG_RUNTIME_DIR ?? `/tmp/tsession-${1}`;",
      'sessions/shell-integration/nonce-store.ts': "const dir = join(env.XDG_RUNTIME_DIR, 'tsession', 'nonce');\nconst root = `/tmp/tsession-${uid}`;",
      'src/daemon/lock.ts': 'const f = (d: string, s: string) => join(d, `watch-${s}.lock`);',
      'src/context.ts': "import { homedir, hostname } from 'node:os';\nconst { XDG_STATE_HOME } = process.env;\nos.tmpdir();",
      'sessions/tmux/server.ts': "const dir = `${env.TMUX_TMPDIR || '/tmp'}/tmux-1`;",
      'src/cli/x.ts': "const env = { XDG_CONFIG_HOME: dir }; // writing a child's env is not reading ours",
    });
    expect(pathDeciders(g)).toEqual([
      'src/context.ts:1 imports homedir from node:os — only checkpoints/paths.ts decides where files live',
      'sessions/shell-integration/nonce-store.ts:1 builds a path with a tsession segment (join(env.XDG_RUNTIME_DIR, \'tsession\', \'nonce\')) — only checkpoints/paths.ts decides where files live',
      'sessions/shell-integration/nonce-store.ts:1 reads $XDG_RUNTIME_DIR — only checkpoints/paths.ts decides where files live',
      'sessions/shell-integration/nonce-store.ts:2 names /tmp — only checkpoints/paths.ts decides where files live',
      'src/daemon/lock.ts:1 names a runtime file (*.lock) — only checkpoints/paths.ts decides where files live',
      'src/context.ts:2 reads $XDG_STATE_HOME — only checkpoints/paths.ts decides where files live',
      'src/context.ts:3 calls os.tmpdir() — only checkpoints/paths.ts decides where files live',
    ]);
  });

  it('reports printing or argv below src/', () => {
    const g = tree({ 'sessions/x.ts': 'console.log(1);\nconst a = process.argv;', 'src/cli/main.ts': 'process.stdout.write("");' });
    expect(printersBelowSrc(g)).toEqual([
      'sessions/x.ts:1 uses console.log — nothing below src/ prints to the terminal or reads argv',
      'sessions/x.ts:2 uses process.argv — nothing below src/ prints to the terminal or reads argv',
    ]);
  });
});
