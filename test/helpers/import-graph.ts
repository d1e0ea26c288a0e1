/**
 * The import graph of the program's own files, read with the TypeScript
 * compiler's parser (no type checking, so it takes well under a second), for
 * test/architecture.test.ts. Pure over a map of path → source, so the walls
 * can be tested on a made-up tree too. Not a module resolver: only relative
 * specifiers are followed; bare ones (`node:fs`, `zod`) are kept as names.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import ts from 'typescript';

/** How an import keeps the target alive: `value` loads it at run time, `type` is erased. */
export type EdgeKind = 'value' | 'type';

/** One import of one file by another (or of a package). */
export interface Edge {
  /** Importing file, relative to the repository root, `/`-separated. */
  readonly from: string;
  /** Imported file relative to the root, or the bare specifier of a package (`node:os`). */
  readonly to: string;
  readonly kind: EdgeKind;
  /** `import()` or a `require` rather than a static declaration. */
  readonly dynamic: boolean;
  /** True when `to` is a package or built-in rather than one of our files. */
  readonly external: boolean;
  /** 1-based line of the import in `from`. */
  readonly line: number;
  /** The specifier as written. */
  readonly specifier: string;
  /** Named bindings (for `node:os` → `homedir` checks); empty for namespace and side-effect imports. */
  readonly names: readonly string[];
}

/** A file that could not be read into the graph (an unresolvable or computed specifier). */
export interface GraphProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export interface ImportGraph {
  readonly files: readonly string[];
  readonly edges: readonly Edge[];
  readonly problems: readonly GraphProblem[];
  /** Parsed sources, for checks that look inside files (spawned commands, path literals). */
  readonly sources: ReadonlyMap<string, ts.SourceFile>;
}

/** Repository root (this file lives in test/helpers/). */
export const ROOT = join(import.meta.dirname, '..', '..');

/** The files tsconfig.json compiles, relative to the root, filtered by `keep`. */
export function projectFiles(keep: (file: string) => boolean, configPath = join(ROOT, 'tsconfig.json')): string[] {
  const read = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  if (read.error) throw new Error(`Expected ${configPath} to parse, got ${ts.flattenDiagnosticMessageText(read.error.messageText, '\n')}`);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(configPath));
  return parsed.fileNames.map((f) => relative(ROOT, f).split('\\').join('/')).filter(keep).sort();
}

/** Read `files` from disk and build their graph; `bundles` as in buildGraph. */
export function readGraph(files: readonly string[], bundles: Readonly<Record<string, string>> = {}): ImportGraph {
  const sources = new Map(files.map((f) => [f, readFileSync(join(ROOT, f), 'utf8')] as const));
  return buildGraph(sources, (f) => existsSync(join(ROOT, f)), bundles);
}

/**
 * Build the graph of `sources` (path → text). `exists` answers for files not
 * in `sources` (a relative import of a file outside the set is still an edge).
 * `bundles` maps the file name of a bundle that a module loads at run time
 * (`tsession-main.cjs`) to the source it is built from, so that load is an
 * edge like any other.
 */
export function buildGraph(
  sources: ReadonlyMap<string, string>,
  exists: (file: string) => boolean = () => false,
  bundles: Readonly<Record<string, string>> = {},
): ImportGraph {
  const edges: Edge[] = [];
  const problems: GraphProblem[] = [];
  const parsed = new Map<string, ts.SourceFile>();
  const has = (f: string) => sources.has(f) || exists(f);
  for (const [file, text] of sources) {
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
    parsed.set(file, sf);
    const lineOf = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
    const add = (spec: string, node: ts.Node, kind: EdgeKind, dynamic: boolean, names: readonly string[]) => {
      const line = lineOf(node);
      if (!spec.startsWith('.')) {
        edges.push({ from: file, to: spec, kind, dynamic, external: true, line, specifier: spec, names });
        return;
      }
      const to = resolveRelative(file, spec, has) ?? bundles[posix.basename(spec)] ?? null;
      if (to === null) problems.push({ file, line, message: `Expected ${spec} to name a file of ours, got nothing at that path` });
      else edges.push({ from: file, to, kind, dynamic, external: false, line, specifier: spec, names });
    };
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        add(node.moduleSpecifier.text, node, importKind(node), false, importNames(node));
      } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        add(node.moduleSpecifier.text, node, exportKind(node), false, []);
      } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
        const e = node.moduleReference.expression;
        if (ts.isStringLiteral(e)) add(e.text, node, node.isTypeOnly ? 'type' : 'value', false, []);
      } else if (ts.isImportTypeNode(node)) {
        // `typeof import('x')` and `import('x').T` in a type position: erased.
        const arg = node.argument;
        if (ts.isLiteralTypeNode(arg) && ts.isStringLiteral(arg.literal)) add(arg.literal.text, node, 'type', true, []);
      } else if (ts.isCallExpression(node) && isLoadCall(node)) {
        const arg = node.arguments[0];
        if (arg && ts.isStringLiteralLike(arg)) add(arg.text, node, 'value', true, []);
        else problems.push({ file, line: lineOf(node), message: `Expected a literal specifier in ${node.getText(sf).slice(0, 60)}, got a computed one the walls cannot check` });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { files: [...sources.keys()].sort(), edges, problems, sources: parsed };
}

/**
 * `import type …` and `import { type A }` differ at run time: under
 * verbatimModuleSyntax (tsconfig.base.json) the second is emitted as
 * `import {} from …`, which still loads the module. Only the first is a
 * type edge.
 */
function importKind(node: ts.ImportDeclaration): EdgeKind {
  const clause = node.importClause;
  if (!clause) return 'value'; // `import './x.js'`: loaded for its effects
  return clause.isTypeOnly ? 'type' : 'value';
}

function exportKind(node: ts.ExportDeclaration): EdgeKind {
  return node.isTypeOnly ? 'type' : 'value';
}

function importNames(node: ts.ImportDeclaration): string[] {
  const bindings = node.importClause?.namedBindings;
  if (!bindings || !ts.isNamedImports(bindings)) return [];
  return bindings.elements.map((e) => (e.propertyName ?? e.name).text);
}

/** `import(x)`, `require(x)`, `createRequire(…)(x)`. */
function isLoadCall(node: ts.CallExpression): boolean {
  if (node.expression.kind === ts.SyntaxKind.ImportKeyword) return true;
  if (ts.isIdentifier(node.expression) && node.expression.text === 'require') return true;
  const callee = node.expression;
  return ts.isCallExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'createRequire';
}

/** `./x.js` from `a/b.ts` → `a/x.ts` (or .tsx, or the file itself for .json); null when none exists. */
function resolveRelative(from: string, spec: string, has: (file: string) => boolean): string | null {
  const base = posix.normalize(posix.join(posix.dirname(from), spec));
  const stem = base.replace(/\.(m|c)?js$/, '');
  const candidates = base === stem ? [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`] : [`${stem}.ts`, `${stem}.tsx`, base];
  return candidates.find(has) ?? null;
}

/** Strongly connected components with more than one node, over `edges` (Tarjan, iterative-safe for our sizes). */
export function cycles<N>(nodes: Iterable<N>, next: (n: N) => Iterable<N>): N[][] {
  let index = 0;
  const idx = new Map<N, number>();
  const low = new Map<N, number>();
  const stack: N[] = [];
  const on = new Set<N>();
  const out: N[][] = [];
  const strong = (v: N): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of next(v)) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) {
        low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const scc: N[] = [];
      let w: N;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc);
    }
  };
  for (const n of nodes) if (!idx.has(n)) strong(n);
  return out;
}

/** One shortest cycle through `start` inside `scc` (breadth first), as a node list ending where it began. */
export function cycleThrough<N>(start: N, scc: ReadonlySet<N>, next: (n: N) => Iterable<N>): N[] {
  const prev = new Map<N, N>();
  const queue: N[] = [start];
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i]!;
    for (const w of next(v)) {
      if (!scc.has(w)) continue;
      if (w === start) {
        const path = [v];
        for (let p = v; p !== start; ) path.unshift((p = prev.get(p)!));
        return [...path, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}
