/**
 * The program a command line runs, from its first word. Pure (no /proc), so
 * planners can use it without pulling in the /proc readers.
 */

/** Basename of a program path: `/usr/bin/vim` → `vim`, `-bash` (login) → `bash`. */
export function programName(argv0: string): string {
  const base = argv0.slice(argv0.lastIndexOf('/') + 1);
  return base.startsWith('-') ? base.slice(1) : base;
}
