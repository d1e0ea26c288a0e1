/**
 * Validation of the config file: three small objects, checked by hand. zod
 * did this before; loading it cost ~30 ms of every `tsession save` that has
 * a config file (the save budget is 150 ms), for a dozen keys. Checkpoints,
 * whose shape is large and versioned, keep their zod schema.
 *
 * Every message says `<key path>: expected <what>, got <value>`.
 */
import { DEFAULT_CONFIG, toAllowRules, type AllowlistEntry, type Config } from './config.js';
import { UserError } from '../user-error.js';

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
