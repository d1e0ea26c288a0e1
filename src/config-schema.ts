/**
 * Validation of the config file (zod): kept apart from config.ts so that a
 * run without a config file never loads the schema library.
 */
import { z } from 'zod';
import { DEFAULT_CONFIG, toAllowRules, type Config } from './config.js';
import { UserError } from './user-error.js';

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

