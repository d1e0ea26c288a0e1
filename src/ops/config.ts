/**
 * User settings from `$XDG_CONFIG_HOME/tsession/config.json`: re-run
 * allowlist, pane contents lines, retention. Validated on load; a bad value is
 * a UserError naming the file, the key, what was expected and what was found.
 * Non-goals: deciding paths (checkpoints/paths.ts), applying the allowlist.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_RETENTION, type RetentionPolicy } from '../../checkpoints/retention.js';
import { UserError } from '../user-error.js';

/**
 * One allowlist rule: the program's basename (matched against the basename
 * of argv[0], so `/usr/bin/vim` and a Nix path match `vim`), and optionally
 * flags of which at least one must appear among the arguments. A flag
 * matches an argument that equals it; a long flag (`--follow`) also matches
 * `--follow=…`; a one-letter short flag (`-f`) also matches inside a cluster
 * of letters (`-qf`).
 */
export interface AllowRule {
  readonly program: string;
  /** null: any arguments. */
  readonly whenAnyArg: readonly string[] | null;
}

/** In config.json an entry is a program name, or `{ "program": …, "whenAnyArg": [flags] }`. */
export type AllowlistEntry = string | { readonly program: string; readonly whenAnyArg: readonly string[] };

/** Programs re-run on restore by default: editors, pagers, monitors, followers, remote shells. */
export const DEFAULT_ALLOWLIST = [
  'vim',
  'nvim',
  'vi',
  'nano',
  'emacs',
  'hx',
  'micro',
  'less',
  'more',
  'most',
  'man',
  'top',
  'htop',
  'btop',
  // Plain `tail`/`journalctl` end on their own; only following is a "view" to bring back.
  { program: 'tail', whenAnyArg: ['-f', '-F', '--follow'] },
  'watch',
  'ssh',
  { program: 'journalctl', whenAnyArg: ['-f', '--follow'] },
] as const satisfies readonly AllowlistEntry[];

/** Default pane contents depth in lines (0 disables capture). */
export const DEFAULT_CONTENTS = { lines: 2000 } as const;

/** Settings after defaults are applied. */
export interface Config {
  readonly rerun: { readonly allowlist: readonly AllowRule[] };
  readonly contents: { readonly lines: number };
  readonly retention: RetentionPolicy;
}

/** Turn config-file entries into rules. */
export function toAllowRules(entries: readonly AllowlistEntry[]): AllowRule[] {
  return entries.map((e) =>
    typeof e === 'string' ? { program: e, whenAnyArg: null } : { program: e.program, whenAnyArg: [...e.whenAnyArg] },
  );
}

/** The settings used when there is no config file. */
export const DEFAULT_CONFIG: Config = {
  rerun: { allowlist: toAllowRules(DEFAULT_ALLOWLIST) },
  contents: { lines: DEFAULT_CONTENTS.lines },
  retention: { keepLast: DEFAULT_RETENTION.keepLast, dailyForDays: DEFAULT_RETENTION.dailyForDays },
};

/** Where to load from: the config file (paths.resolvePaths().configFile) and the home dir for `~` in messages. */
export interface LoadConfigOptions {
  readonly file: string;
  readonly homeDir?: string;
}

/** Load and validate the config file; a missing file means defaults. Throws UserError. */
export async function loadConfig(options: LoadConfigOptions): Promise<Config> {
  const { file, homeDir } = options;
  const label = homeDir && file.startsWith(`${homeDir}/`) ? `~${file.slice(homeDir.length)}` : file;
  let text: string;
  try {
    // Synchronous: a few hundred bytes, read while a save's other async work
    // (tmux's answer, the store's directories) would queue ahead of it.
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return DEFAULT_CONFIG;
    throw new UserError(`${label}: expected a readable config file, got ${code ?? (error as Error).message}`);
  }
  let raw: unknown;
  try {
    // An empty file is a fresh `touch`: all defaults.
    raw = text.trim() === '' ? {} : JSON.parse(text);
  } catch (error) {
    throw new UserError(`${label}: expected valid JSON, got ${(error as Error).message}`);
  }
  const { parseConfig } = await import('./config-schema.js');
  return parseConfig(raw, label);
}
