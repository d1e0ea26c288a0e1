/**
 * User settings from `$XDG_CONFIG_HOME/tsession/config.json`: re-run
 * allowlist, pane contents lines, retention, the watch daemon's policies. Validated on load; a bad value is
 * a UserError naming the file, the key, what was expected and what was found.
 * Non-goals: deciding paths (checkpoints/paths.ts), applying the allowlist.
 */
import { readFileSync, statSync } from 'node:fs';
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

/** The watch daemon's policies a config file may set (its command-line options win). */
export interface WatchConfig {
  /** Apply the gentle unfreeze rungs without a person: to every session (true), to none (false), or to these sessions. */
  readonly autoUnfreeze: boolean | readonly string[];
  /** How long a freeze must last before that, in ms. */
  readonly autoUnfreezeAfterMs: number;
  /** Automatic restores allowed within the crash breaker's window (10 min). */
  readonly maxRestores: number;
}

/** The watch policies when the file says nothing. */
export const DEFAULT_WATCH_CONFIG: WatchConfig = { autoUnfreeze: false, autoUnfreezeAfterMs: 3_000, maxRestores: 3 };

/** PTY sessions' defaults: Ctrl-\\ detaches, shell integration on, 5,000 lines of scrollback in RAM. */
export const DEFAULT_PTY = { detachKey: 'ctrl-\\', shellIntegration: true, scrollback: 5_000 } as const;

/** Settings after defaults are applied. */
export interface Config {
  readonly rerun: { readonly allowlist: readonly AllowRule[] };
  readonly contents: { readonly lines: number };
  readonly retention: RetentionPolicy;
  readonly watch: WatchConfig;
  /** tsession's own PTY sessions (`tsession new`/`attach`). */
  readonly pty: { readonly detachKey: string; readonly shellIntegration: boolean; readonly scrollback: number };
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
  watch: DEFAULT_WATCH_CONFIG,
  pty: { ...DEFAULT_PTY },
};

/** Where to load from: the config file (paths.resolvePaths().configFile) and the home dir for `~` in messages. */
export interface LoadConfigOptions {
  readonly file: string;
  readonly homeDir?: string;
}

/** A part of the config a use case may need: a bad part it does not need falls back to defaults. */
export type ConfigSection = 'rerun' | 'contents' | 'retention' | 'watch' | 'pty';

/**
 * One thing wrong with the config file: the file itself (unreadable, not
 * JSON: nothing in it is known), an unknown top-level key (no section), or a
 * bad value in one section.
 */
export type ConfigProblem =
  | { readonly kind: 'file'; readonly message: string }
  | { readonly kind: 'unknown-key'; readonly message: string }
  | { readonly kind: 'section'; readonly section: ConfigSection; readonly message: string };

/**
 * A config file that does not validate. `problems` in file order (the
 * message is the first one's); `usable` is the file with every bad section
 * replaced by its defaults, or null when the file could not be read at all.
 */
export class ConfigError extends UserError {
  constructor(
    readonly problems: readonly [ConfigProblem, ...ConfigProblem[]],
    readonly usable: Config | null,
  ) {
    super(problems[0].message);
  }
}

/** What a ConfigKeeper saw change: the file now validates (again), or it no longer does. */
export type ConfigChange = { readonly kind: 'reloaded' } | { readonly kind: 'invalid'; readonly message: string };

/**
 * The config as a long-running process (the watch daemon) sees it: read
 * again whenever the file changes (inode, size, mtime), and when it no
 * longer validates, the last good settings are kept and the change is told
 * once — a typo saved mid-edit must not stop the saves.
 */
export class ConfigKeeper {
  private constructor(
    private readonly options: LoadConfigOptions,
    private readonly onChange: (change: ConfigChange) => void,
    private stamp: string,
    private good: Config,
    private problem: string | null = null,
  ) {}

  /** Read the file for the first time; a bad file throws its ConfigError (the daemon refuses to start). */
  static async start(options: LoadConfigOptions, onChange: (change: ConfigChange) => void): Promise<ConfigKeeper> {
    // Stamped before the read: a change during the read is read again at the first check.
    const stamp = stampOf(options.file);
    return new ConfigKeeper(options, onChange, stamp, await loadConfig(options));
  }

  /** The settings to use now: the file's, or the last good ones while it does not validate. */
  async current(): Promise<Config> {
    const stamp = stampOf(this.options.file);
    if (stamp === this.stamp) return this.good;
    this.stamp = stamp;
    try {
      this.good = await loadConfig(this.options);
      this.problem = null;
      this.onChange({ kind: 'reloaded' });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      if (e.message !== this.problem) this.onChange({ kind: 'invalid', message: e.message });
      this.problem = e.message;
    }
    return this.good;
  }
}

/** What identifies one version of the file without reading it. */
function stampOf(file: string): string {
  try {
    const st = statSync(file, { bigint: true });
    return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch (e) {
    return `error:${(e as NodeJS.ErrnoException).code ?? 'unknown'}`;
  }
}

/** Load and validate the config file; a missing file means defaults. Throws ConfigError (a UserError). */
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
    throw new ConfigError([{ kind: 'file', message: `${label}: expected a readable config file, got ${code ?? errorMessage(error)}` }], null);
  }
  let raw: unknown;
  try {
    // An empty file is a fresh `touch`: all defaults.
    raw = text.trim() === '' ? {} : JSON.parse(text);
  } catch (error) {
    throw new ConfigError([{ kind: 'file', message: `${label}: expected valid JSON, got ${errorMessage(error)}` }], null);
  }
  return parseConfig(raw, label);
}

/**
 * The config for a use case that needs only `needs`: the whole file when it
 * is valid; else, when every problem lies outside `needs`, the file with
 * defaults for the bad parts and a one-line warning. A problem in a needed
 * section (or a file that cannot be read) is thrown as the ConfigError it is:
 * guessing an allowlist could re-run what the person removed from it.
 */
export async function configFor(
  ctx: { config(): Promise<Config> },
  needs: readonly ConfigSection[],
): Promise<{ readonly config: Config; readonly warning: string | null }> {
  try {
    return { config: await ctx.config(), warning: null };
  } catch (e) {
    if (!(e instanceof ConfigError) || e.usable === null) throw e;
    const blocking = e.problems.find((p) => p.kind === 'section' && needs.includes(p.section));
    if (blocking) throw new ConfigError([blocking], null);
    const defaulted = [...new Set(e.problems.map((p) => (p.kind === 'section' ? p.section : 'unknown keys')))];
    const more = e.problems.length > 1 ? ` (and ${e.problems.length - 1} more)` : '';
    return { config: e.usable, warning: `${e.message}${more}; going on with the defaults for ${defaulted.join(', ')}, which this does not need` };
  }
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

const SECTIONS: readonly ConfigSection[] = ['rerun', 'contents', 'retention', 'watch', 'pty'];

/** The rerun section: the allowlist it gives, or the default one. */
function rerunSection(value: unknown): Config['rerun'] {
  if (value === undefined) return DEFAULT_CONFIG.rerun;
  const rerun = object(value, 'rerun', ['allowlist']);
  if (rerun.allowlist === undefined) return DEFAULT_CONFIG.rerun;
  if (!Array.isArray(rerun.allowlist)) throw new ConfigIssue('rerun.allowlist', 'a list of program names or rules', rerun.allowlist);
  return { allowlist: toAllowRules(rerun.allowlist.map((e, i) => allowlistEntry(e, join('rerun.allowlist', i)))) };
}

function contentsSection(value: unknown): Config['contents'] {
  const contents = value === undefined ? {} : object(value, 'contents', ['lines']);
  return { lines: wholeNumber(contents.lines, 'contents.lines', 0) ?? DEFAULT_CONFIG.contents.lines };
}

function retentionSection(value: unknown): Config['retention'] {
  const retention = value === undefined ? {} : object(value, 'retention', ['keepLast', 'dailyForDays']);
  return {
    keepLast: wholeNumber(retention.keepLast, 'retention.keepLast', 1) ?? DEFAULT_CONFIG.retention.keepLast,
    dailyForDays: wholeNumber(retention.dailyForDays, 'retention.dailyForDays', 0) ?? DEFAULT_CONFIG.retention.dailyForDays,
  };
}

/** Seconds as a number ≥ 0 (fractions allowed), in ms. */
function seconds(value: unknown, path: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 86_400) throw new ConfigIssue(path, 'seconds (a number from 0 to 86400)', value);
  return Math.round(value * 1000);
}

function watchSection(value: unknown): Config['watch'] {
  const watch = value === undefined ? {} : object(value, 'watch', ['autoUnfreeze', 'autoUnfreezeAfter', 'maxRestores']);
  let autoUnfreeze: WatchConfig['autoUnfreeze'] = DEFAULT_WATCH_CONFIG.autoUnfreeze;
  const scope = watch.autoUnfreeze;
  if (typeof scope === 'boolean') autoUnfreeze = scope;
  else if (Array.isArray(scope) && scope.every((x) => typeof x === 'string' && x !== '')) autoUnfreeze = [...(scope as string[])];
  else if (scope !== undefined) throw new ConfigIssue('watch.autoUnfreeze', 'true, false, or a list of session names', scope);
  return {
    autoUnfreeze,
    autoUnfreezeAfterMs: seconds(watch.autoUnfreezeAfter, 'watch.autoUnfreezeAfter') ?? DEFAULT_WATCH_CONFIG.autoUnfreezeAfterMs,
    maxRestores: wholeNumber(watch.maxRestores, 'watch.maxRestores', 1) ?? DEFAULT_WATCH_CONFIG.maxRestores,
  };
}


// A detach key is a control key: ctrl-<letter or one of @[\\]^_>, or ^<same>.
const DETACH_KEY = /^(?:ctrl-|c-|\^)[A-Za-z@[\\\]^_]$/i;

function ptySection(value: unknown): Config['pty'] {
  const pty = value === undefined ? {} : object(value, 'pty', ['detachKey', 'shellIntegration', 'scrollback']);
  if (pty.detachKey !== undefined && (typeof pty.detachKey !== 'string' || !DETACH_KEY.test(pty.detachKey))) {
    throw new ConfigIssue('pty.detachKey', 'a control key like "ctrl-\\\\" or "ctrl-a"', pty.detachKey);
  }
  if (pty.shellIntegration !== undefined && typeof pty.shellIntegration !== 'boolean') {
    throw new ConfigIssue('pty.shellIntegration', 'true or false', pty.shellIntegration);
  }
  return {
    detachKey: (pty.detachKey as string | undefined) ?? DEFAULT_PTY.detachKey,
    shellIntegration: (pty.shellIntegration as boolean | undefined) ?? DEFAULT_PTY.shellIntegration,
    scrollback: wholeNumber(pty.scrollback, 'pty.scrollback', 0) ?? DEFAULT_PTY.scrollback,
  };
}

const SECTION_CHECKS = { rerun: rerunSection, contents: contentsSection, retention: retentionSection, watch: watchSection, pty: ptySection } as const;

const issueMessage = (e: ConfigIssue, label: string): string =>
  `${label}: ${e.path ? `${e.path}: ` : ''}expected ${e.expected}, got ${e.got === UNKNOWN ? 'an unknown setting' : describe(e.got)}`;

/**
 * Validate parsed JSON and apply defaults. Each section is checked on its
 * own, so a ConfigError says which sections are bad and carries the rest.
 * Throws ConfigError `<label>: <key>: expected …, got …`.
 */
export function parseConfig(raw: unknown, label: string): Config {
  if (!isObject(raw)) throw new ConfigError([{ kind: 'file', message: issueMessage(new ConfigIssue('', 'a JSON object', raw), label) }], null);
  const problems: ConfigProblem[] = [];
  for (const key of Object.keys(raw)) {
    if (!(SECTIONS as readonly string[]).includes(key)) {
      problems.push({ kind: 'unknown-key', message: issueMessage(new ConfigIssue(key, `one of ${SECTIONS.join(', ')}`, UNKNOWN), label) });
    }
  }
  const section = <K extends ConfigSection>(name: K): Config[K] => {
    try {
      return SECTION_CHECKS[name](raw[name]) as Config[K];
    } catch (e) {
      if (!(e instanceof ConfigIssue)) throw e;
      problems.push({ kind: 'section', section: name, message: issueMessage(e, label) });
      return DEFAULT_CONFIG[name];
    }
  };
  const config: Config = { rerun: section('rerun'), contents: section('contents'), retention: section('retention'), watch: section('watch'), pty: section('pty') };
  const [first, ...rest] = problems;
  if (first) throw new ConfigError([first, ...rest], config);
  return config;
}
