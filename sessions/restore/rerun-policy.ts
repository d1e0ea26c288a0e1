/**
 * Decides whether a saved foreground command may be re-run on restore.
 * Pure. The rules come from the config (src/config.ts holds the defaults).
 */
import { programName } from '../proc/program-name.js';

/** An allowlist rule: a program basename and, optionally, flags one of which must be present. */
export interface RerunRule {
  readonly program: string;
  /** null: any arguments. */
  readonly whenAnyArg: readonly string[] | null;
}

/** True when `arg` carries `flag`: exactly, or inside a short-option cluster (`-fn5` has -f). */
function hasFlag(arg: string, flag: string): boolean {
  if (arg === flag) return true;
  if (flag.length === 2 && flag[0] === '-' && flag[1] !== '-' && /^-[A-Za-z]/.test(arg) && !arg.startsWith('--')) {
    const cluster = /^-([A-Za-z]+)/.exec(arg)?.[1] ?? '';
    return cluster.includes(flag[1]!);
  }
  return flag.startsWith('--') && arg.startsWith(`${flag}=`);
}

/** What a restore does with a saved foreground command. */
export type RerunDecision =
  | { readonly action: 'run'; readonly rule: string }
  | { readonly action: 'type'; readonly reason: string };

/** Decide for `argv` under `rules` (matched on the program's basename). */
export function decideRerun(argv: readonly string[], rules: readonly RerunRule[]): RerunDecision {
  const prog = programName(argv[0] ?? '');
  for (const rule of rules) {
    if (rule.program !== prog) continue;
    const flags = rule.whenAnyArg;
    if (!flags || flags.length === 0) return { action: 'run', rule: rule.program };
    const args = argv.slice(1);
    if (flags.some((f) => args.some((a) => hasFlag(a, f)))) {
      return { action: 'run', rule: `${rule.program} ${flags.join('|')}` };
    }
    return { action: 'type', reason: `${prog} without ${flags.join(' or ')} is not on the allowlist` };
  }
  return { action: 'type', reason: `${prog || 'the command'} is not on the allowlist` };
}
