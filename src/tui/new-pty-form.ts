/**
 * The form `n` opens (tsession new in the interface): its fields with their
 * defaults, and the pure reading of what was typed into a request — the
 * name, the directory (~ and paths under it), the command split into argv
 * like a shell splits words but with nothing expanded and nothing run
 * through a shell, and whether to attach. Checks that need the file system
 * or the host (the directory exists, the program is found, the name is
 * valid) are the services' (services.ts newPty).
 */
import { isAbsolute, join, normalize } from 'node:path';
import type { FormField, FormValues } from './state.js';

/** Fields of the form, by key. */
export const NEW_PTY_FIELDS = { name: 'name', cwd: 'cwd', command: 'command', after: 'after' } as const;
/** A field of the new-session form. */
export type NewPtyField = (typeof NEW_PTY_FIELDS)[keyof typeof NEW_PTY_FIELDS];

/** The choices of the "then" field, in order. */
export const AFTER_CREATE = ['attach', 'stay here (detached)'] as const;

/** The form's fields, empty, each default shown as its placeholder. */
export function newPtyFields(): FormField[] {
  return [
    { kind: 'text', key: NEW_PTY_FIELDS.name, label: 'Name', text: '', placeholder: 'letters, digits, . _ @ + -' },
    { kind: 'text', key: NEW_PTY_FIELDS.cwd, label: 'Directory', text: '', placeholder: '~ (your home; a path, or one under ~)' },
    { kind: 'text', key: NEW_PTY_FIELDS.command, label: 'Command', text: '', placeholder: 'your shell (or a program and its arguments)' },
    { kind: 'choice', key: NEW_PTY_FIELDS.after, label: 'Then', options: AFTER_CREATE, chosen: 0 },
  ];
}

/** What the services create. */
export interface NewPtyRequest {
  readonly name: string;
  /** The directory as typed (null: the home directory); resolved with resolveDirectory. */
  readonly cwd: string | null;
  /** null: the user's shell. */
  readonly argv: readonly string[] | null;
}

/** A value that is wrong, said about its field in one line. */
export interface FieldError {
  readonly field: NewPtyField | null;
  readonly message: string;
}

/** The form's values as a request (and whether to stay detached), or what is wrong. */
export function readNewPtyForm(
  values: FormValues,
  takenNames: ReadonlySet<string>,
): { readonly ok: true; readonly request: NewPtyRequest; readonly detached: boolean } | { readonly ok: false; readonly error: FieldError } {
  const name = (values.get(NEW_PTY_FIELDS.name) ?? '').trim();
  if (!name) return { ok: false, error: { field: 'name', message: 'a session needs a name' } };
  if (takenNames.has(name)) return { ok: false, error: { field: 'name', message: `a PTY session named ${name} already exists: choose another name` } };
  const cwd = (values.get(NEW_PTY_FIELDS.cwd) ?? '').trim();
  const command = (values.get(NEW_PTY_FIELDS.command) ?? '').trim();
  let argv: string[] | null = null;
  if (command) {
    const words = splitWords(command);
    if (!words.ok) return { ok: false, error: { field: 'command', message: words.message } };
    argv = words.words;
  }
  return { ok: true, request: { name, cwd: cwd || null, argv }, detached: values.get(NEW_PTY_FIELDS.after) === AFTER_CREATE[1] };
}

/** The directory a typed value names: empty → home, `~` and `~/x` under home, a relative path under home too. */
export function resolveDirectory(typed: string | null, home: string): string {
  if (typed === null || typed === '' || typed === '~') return home;
  if (typed.startsWith('~/')) return normalize(join(home, typed.slice(2)));
  return normalize(isAbsolute(typed) ? typed : join(home, typed));
}

/**
 * A command line split into words as a POSIX shell splits them — blanks
 * separate, '…' keeps everything, "…" keeps everything but \" \\ \$ \`
 * escapes, \ outside quotes escapes the next character — and nothing else:
 * no variables, globs, ~, pipes or `;` (they stay literal characters of a
 * word). The words reach the program as its argv.
 */
export function splitWords(line: string): { readonly ok: true; readonly words: string[] } | { readonly ok: false; readonly message: string } {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return { ok: false, message: "a ' quote is not closed" };
      word += line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length && '"\\$`'.includes(line[j + 1]!)) j++;
        word += line[j];
      }
      if (j >= line.length) return { ok: false, message: 'a " quote is not closed' };
      i = j;
    } else if (c === '\\') {
      if (i + 1 >= line.length) return { ok: false, message: 'the command ends with a lone \\' };
      word += line[++i];
    } else {
      word += c;
    }
  }
  if (inWord) words.push(word);
  return { ok: true, words };
}
