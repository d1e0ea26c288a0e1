/**
 * The shell fallback ladder for restored panes: the saved shell, then
 * $SHELL, then bash, then sh — the first that exists and is executable.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import type { PaneRecord } from '../../checkpoints/schema.js';
import { programName } from '../proc/program-name.js';

/** Find an executable by name (or check a path) on PATH; null when absent. */
export function findExecutable(name: string, pathVar: string | undefined): string | null {
  const candidates = name.includes('/') ? [name] : (pathVar ?? '/usr/bin:/bin').split(delimiter).map((d) => join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      if (statSync(c).isFile()) return c;
    } catch {
      // try the next one
    }
  }
  return null;
}

/**
 * findExecutable remembering its answers, for one restore: each pane asks
 * for its shell, and 400 panes walking PATH with sync fs calls cost the
 * build tens of ms (bench `crash`) for what is one answer per shell.
 */
export function memoizedFind(): typeof findExecutable {
  const known = new Map<string, string | null>();
  return (name, pathVar) => {
    const key = `${name}\0${pathVar ?? ''}`;
    if (!known.has(key)) known.set(key, findExecutable(name, pathVar));
    return known.get(key) ?? null;
  };
}

/** Nearest existing directory at or above `path` ("/" at worst). */
export function nearestExistingDir(path: string): string {
  let p = path.startsWith('/') ? path : '/';
  for (;;) {
    try {
      if (statSync(p).isDirectory()) return p;
    } catch {
      // keep climbing
    }
    const up = dirname(p);
    if (up === p) return '/';
    p = up;
  }
}

/** Shells a checkpoint may name. A checkpoint is untrusted, so its shell is
 * only ever looked up by one of these basenames on PATH, never run by path. */
export const KNOWN_SHELLS = new Set(['bash', 'zsh', 'fish', 'sh', 'dash', 'ksh', 'mksh', 'yash', 'tcsh', 'csh', 'nu', 'elvish', 'xonsh', 'oil', 'osh']);

/** Resolve the argv a restored pane starts, with a note when it fell back. */
export function resolvePaneShell(
  pane: PaneRecord,
  env: Readonly<Record<string, string | undefined>>,
  find: typeof findExecutable = findExecutable,
): { argv: string[]; note?: string } {
  const saved = pane.shell.argv?.[0] ?? pane.shell.command;
  // A login shell shows as "-bash": start it with -l instead.
  const login = saved.startsWith('-') || (pane.shell.argv ?? []).includes('-l');
  const want = programName(saved);
  const envShell = env.SHELL ? programName(env.SHELL) : '';
  const ladder = [
    { name: KNOWN_SHELLS.has(want) ? want : '', why: '' },
    { name: env.SHELL && env.SHELL.startsWith('/') ? env.SHELL : KNOWN_SHELLS.has(envShell) ? envShell : '', why: '$SHELL' },
    { name: 'bash', why: 'bash' },
    { name: 'sh', why: 'sh' },
  ];
  for (const step of ladder) {
    if (!step.name) continue;
    const found = find(step.name, env.PATH);
    if (!found) continue;
    const argv = login && programName(found) !== 'sh' ? [found, '-l'] : [found];
    return step.why ? { argv, note: `shell ${JSON.stringify(want)} not available; started ${step.why} (${found})` } : { argv };
  }
  return { argv: ['/bin/sh'], note: 'no shell found; started /bin/sh' };
}
