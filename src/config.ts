/**
 * User settings from `$XDG_CONFIG_HOME/tsession/config.json`: re-run
 * allowlist, pane contents lines, retention. Validated on load; a bad value is
 * a UserError naming the file, the key, what was expected and what was found.
 * Non-goals: deciding paths (checkpoints/paths.ts), applying the allowlist.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { DEFAULT_RETENTION, type RetentionPolicy } from '../checkpoints/retention.js';
import { UserError } from './user-error.js';

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

// Each schema carries its expectation as the error text, so the message can
// say "expected <that>, got <value>".
const wholeNumber = (min: number) => {
  const message = `a whole number ≥ ${min}`;
  return z
    .number({ invalid_type_error: message })
    .int({ message })
    .min(min, { message })
    .max(Number.MAX_SAFE_INTEGER, { message });
};
const object = <T extends z.ZodRawShape>(shape: T) =>
  z.object(shape, { invalid_type_error: 'an object' }).strict();
const programName = z
  .string({ invalid_type_error: 'a program name' })
  .regex(/^[^/\s]+$/, { message: 'a program name without "/" or spaces (it is matched on the basename)' });
const flag = z
  .string({ invalid_type_error: 'a flag' })
  .regex(/^-{1,2}[^\s-]\S*$/, { message: 'a flag like "-f" or "--follow"' });
const allowlistEntry = z.union(
  [
    programName,
    object({
      program: programName,
      whenAnyArg: z.array(flag, { invalid_type_error: 'a list of flags' }).min(1, { message: 'at least one flag' }),
    }),
  ],
  { errorMap: () => ({ message: 'a program name, or {"program": name, "whenAnyArg": [flags]}' }) },
);

const configFileSchema = z
  .object(
    {
      rerun: object({
        allowlist: z.array(allowlistEntry, { invalid_type_error: 'a list of program names or rules' }).optional(),
      }).optional(),
      contents: object({ lines: wholeNumber(0).optional() }).optional(),
      retention: object({ keepLast: wholeNumber(1).optional(), dailyForDays: wholeNumber(0).optional() }).optional(),
    },
    { invalid_type_error: 'a JSON object' },
  )
  .strict();

// Known keys per object path, for "unknown setting" messages.
const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': ['rerun', 'contents', 'retention'],
  rerun: ['allowlist'],
  contents: ['lines'],
  retention: ['keepLast', 'dailyForDays'],
};

const keyPath = (path: readonly PropertyKey[]) =>
  path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '');

const describe = (value: unknown): string => {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
};

const valueAt = (root: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), root);

/** Validate parsed JSON and apply defaults; throws UserError `<label>: <key>: expected …, got …`. */
export function parseConfig(raw: unknown, label: string): Config {
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (!issue) throw new UserError(`${label}: expected a valid config`);
    if (issue.code === 'unrecognized_keys') {
      const parent = keyPath(issue.path);
      const key = issue.keys[0] ?? '?';
      const known = KNOWN_KEYS[parent] ?? [];
      throw new UserError(
        `${label}: ${parent ? `${parent}.` : ''}${key}: expected one of ${known.join(', ')}, got an unknown setting`,
      );
    }
    const where = keyPath(issue.path);
    throw new UserError(`${label}: ${where ? `${where}: ` : ''}expected ${issue.message}, got ${describe(valueAt(raw, issue.path))}`);
  }
  const c = parsed.data;
  return {
    rerun: { allowlist: c.rerun?.allowlist ? toAllowRules(c.rerun.allowlist) : DEFAULT_CONFIG.rerun.allowlist },
    contents: { lines: c.contents?.lines ?? DEFAULT_CONFIG.contents.lines },
    retention: {
      keepLast: c.retention?.keepLast ?? DEFAULT_CONFIG.retention.keepLast,
      dailyForDays: c.retention?.dailyForDays ?? DEFAULT_CONFIG.retention.dailyForDays,
    },
  };
}

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
    text = await readFile(file, 'utf8');
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
  return parseConfig(raw, label);
}
