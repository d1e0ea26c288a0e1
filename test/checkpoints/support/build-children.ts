/**
 * Child processes for multi-process tests need plain JavaScript (Node 20
 * cannot run .ts): transpile checkpoints/ and the support scripts into a temp
 * tree with `node_modules` linked in. Non-goals: type checking (tsc does that).
 */
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Transpile the sources children need into `outDir`; returns the path of the support dir there. */
export function buildChildren(outDir: string): string {
  // sessions/proc: the liveness check the store's index lock is given.
  const dirs = ['checkpoints', 'sessions/proc', 'test/checkpoints/support'];
  for (const d of dirs) {
    for (const name of readdirSync(join(repo, d))) {
      if (!name.endsWith('.ts') || name.endsWith('.d.ts')) continue;
      const src = join(repo, d, name);
      const out = join(outDir, relative(repo, src)).replace(/\.ts$/, '.js');
      const { outputText } = ts.transpileModule(readFileSync(src, 'utf8'), {
        compilerOptions: {
          module: ts.ModuleKind.ESNext,
          target: ts.ScriptTarget.ES2022,
          verbatimModuleSyntax: true,
        },
        fileName: src,
      });
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, outputText);
    }
  }
  writeFileSync(join(outDir, 'package.json'), '{"type":"module"}\n');
  symlinkSync(join(repo, 'node_modules'), join(outDir, 'node_modules'), 'dir');
  return join(outDir, 'test/checkpoints/support');
}
