/**
 * User settings from `$XDG_CONFIG_HOME/tsession/config.json`: re-run
 * allowlist, pane contents lines, retention. Validated on load; a bad value is
 * a UserError naming the file, the key, what was expected and what was found.
 * Non-goals: deciding paths (checkpoints/paths.ts), applying the allowlist.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_RETENTION, type RetentionPolicy } from '../../checkpoints/retention.js';
import { UserError } from '../user-error.js';
import { errorMessage } from '../../checkpoints/result.js';

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
    throw new UserError(`${label}: expected a readable config file, got ${code ?? errorMessage(error)}`);
  }
  let raw: unknown;
  try {
    // An empty file is a fresh `touch`: all defaults.
    raw = text.trim() === '' ? {} : JSON.parse(text);
  } catch (error) {
    throw new UserError(`${label}: expected valid JSON, got ${errorMessage(error)}`);
  }
  return parseConfig(raw, label);
}

// Validation: every message says `<key path>: expected <what>, got <value>`.

/** A failed check: where (key path) and what was expected there. */
class ConfigIssue {
  constructor(
    readonly path: string,
    readonly expected: string,
    readonly got: unknown,
  ) {}
}

const describe = (value: unknown): string => {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
};

const join = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** An object holding only `known` keys (each checked by the caller). */
function object(value: unknown, path: string, known: readonly string[], what = 'an object'): Record<string, unknown> {
  if (!isObject(value)) throw new ConfigIssue(path, what, value);
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new ConfigIssue(join(path, key), `one of ${known.join(', ')}`, UNKNOWN);
  }
  return value;
}

/** Marker for "got an unknown setting" (the value itself is beside the point). */
const UNKNOWN = Symbol('unknown setting');

function wholeNumber(value: unknown, path: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new ConfigIssue(path, `a whole number ≥ ${min}`, value);
  }
  return value;
}

const PROGRAM_NAME = /^[^/\s]+$/;
const FLAG = /^-{1,2}[^\s-]\S*$/;
const ENTRY = 'a program name, or {"program": name, "whenAnyArg": [flags]}';

function programName(value: string, path: string): string {
  if (!PROGRAM_NAME.test(value)) {
    throw new ConfigIssue(path, 'a program name without "/" or spaces (it is matched on the basename)', value);
  }
  return value;
}

function allowlistEntry(value: unknown, path: string): AllowlistEntry {
  if (typeof value === 'string') return programName(value, path);
  if (!isObject(value) || typeof value.program !== 'string' || !Array.isArray(value.whenAnyArg)) {
    throw new ConfigIssue(path, ENTRY, value);
  }
  const rule = object(value, path, ['program', 'whenAnyArg'], ENTRY);
  const program = programName(rule.program as string, join(path, 'program'));
  const flags = rule.whenAnyArg as unknown[];
  const flagsPath = join(path, 'whenAnyArg');
  if (flags.length === 0) throw new ConfigIssue(flagsPath, 'at least one flag', flags);
  flags.forEach((f, i) => {
    if (typeof f !== 'string' || !FLAG.test(f)) throw new ConfigIssue(join(flagsPath, i), 'a flag like "-f" or "--follow"', f);
  });
  return { program, whenAnyArg: flags as string[] };
}

function check(raw: unknown): Config {
  const root = object(raw, '', ['rerun', 'contents', 'retention'], 'a JSON object');
  let allowlist: AllowlistEntry[] | undefined;
  if (root.rerun !== undefined) {
    const rerun = object(root.rerun, 'rerun', ['allowlist']);
    if (rerun.allowlist !== undefined) {
      if (!Array.isArray(rerun.allowlist)) {
        throw new ConfigIssue('rerun.allowlist', 'a list of program names or rules', rerun.allowlist);
      }
      allowlist = rerun.allowlist.map((e, i) => allowlistEntry(e, join('rerun.allowlist', i)));
    }
  }
  const contents = root.contents === undefined ? {} : object(root.contents, 'contents', ['lines']);
  const retention = root.retention === undefined ? {} : object(root.retention, 'retention', ['keepLast', 'dailyForDays']);
  return {
    rerun: { allowlist: allowlist ? toAllowRules(allowlist) : DEFAULT_CONFIG.rerun.allowlist },
    contents: { lines: wholeNumber(contents.lines, 'contents.lines', 0) ?? DEFAULT_CONFIG.contents.lines },
    retention: {
      keepLast: wholeNumber(retention.keepLast, 'retention.keepLast', 1) ?? DEFAULT_CONFIG.retention.keepLast,
      dailyForDays: wholeNumber(retention.dailyForDays, 'retention.dailyForDays', 0) ?? DEFAULT_CONFIG.retention.dailyForDays,
    },
  };
}

/** Validate parsed JSON and apply defaults; throws UserError `<label>: <key>: expected …, got …`. */
export function parseConfig(raw: unknown, label: string): Config {
  try {
    return check(raw);
  } catch (e) {
    if (!(e instanceof ConfigIssue)) throw e;
    const got = e.got === UNKNOWN ? 'an unknown setting' : describe(e.got);
    throw new UserError(`${label}: ${e.path ? `${e.path}: ` : ''}expected ${e.expected}, got ${got}`);
  }
}
