/**
 * The shell-integration dialects: which OSC numbers carry markers, their wire
 * grammar, and how one complete payload becomes one event. Works on a finished
 * payload only; finding sequences in a stream is marker-parser.ts's job.
 */
import { bytesOf } from './byte-fields.js';
import type { MarkerEvent } from './events.js';
import { percentDecode, unescapeVscode } from './escapes.js';
import { decodeUtf8 } from './utf8.js';

/**
 * OSC numbers that carry shell-integration markers. Every sequence is
 * `ESC ] <Ps> ; <payload> ST` with ST = BEL (0x07) or `ESC \`; a lone ESC
 * also ends it and CAN (0x18) / SUB (0x1A) abort it, as in terminals.
 * C0 controls inside the payload are ignored (not part of the value). Only the
 * 7-bit introducer `ESC ]` is recognised: the C1 forms (0x9D, 0x9C) are raw
 * bytes no shell integration sends, and invalid UTF-8 on their own.
 */
export const MARKER_OSC = {
  /**
   * OSC 633 — VS Code shell integration. Origin: VS Code's bash/zsh/fish/pwsh scripts.
   * `633;A` prompt start · `633;B` prompt end (command input starts) ·
   * `633;C` command executed · `633;D[;<exit>]` command finished ·
   * `633;E;<commandline>[;<nonce>]` command line · `633;P;<Key>=<Value>` property.
   * Escaping of values: `\\` is `\`, `\xHH` is byte HH (`;` is sent as `\x3b`,
   * controls as `\x0a` …); the resulting bytes are UTF-8. Trust: an E is trusted
   * only with the pane's nonce; A–D and P are never proof of anything.
   */
  vscode: 633,
  /**
   * OSC 133 — FinalTerm semantic prompts (kitty, WezTerm, iTerm2, ghostty, foot).
   * `133;A[;k=v]*` prompt start · `133;B` input start · `133;C[;k=v]*` output
   * start · `133;D[;<exit>][;k=v]*` finished · `133;N` new command (= A without
   * fresh-line) · `133;P[;k=v]` / `133;L` prompt-kind and fresh-line hints, skipped.
   * No escaping: options are raw UTF-8 (kitty's `cmdline_url=` stays percent-encoded).
   */
  finalTerm: 133,
  /** OSC 7 — `7;file://<host>/<path>` percent-encoded (also kitty's raw `kitty-shell-cwd://`). Cwd, never trusted. */
  cwdUrl: 7,
  /** OSC 1337 — iTerm2: `1337;CurrentDir=<path>` (raw UTF-8) and `1337;RemoteHost=<user>@<host>`; other keys skipped. */
  iterm2: 1337,
  /** OSC 9;9 — ConEmu / Windows Terminal: `9;9;<path>` or `9;9;"<path>"`; other OSC 9 (notifications) skipped. */
  conemu: 9,
} as const;

/** OSC 633 command letters and the event each becomes. */
export const OSC633_COMMANDS = {
  A: 'prompt-start',
  B: 'command-start',
  C: 'command-executed',
  D: 'command-finished',
  E: 'command-line',
  P: 'property',
} as const;

/** OSC 133 command letters: lifecycle events, or null for hints that are skipped harmlessly. */
export const OSC133_COMMANDS = {
  A: 'prompt-start',
  N: 'prompt-start',
  B: 'command-start',
  C: 'command-executed',
  D: 'command-finished',
  P: null,
  L: null,
} as const;

/** A payload that is not a marker (unknown command, other OSC 9/1337 keys): ignored, not counted. */
export const SKIPPED = 0;
/** A payload of a marker dialect that breaks its grammar: skipped and counted. */
export const MALFORMED = 1;

/** What one finished payload means. */
export type Interpretation = MarkerEvent | typeof SKIPPED | typeof MALFORMED;

/** Per-stream facts the interpreters need: the pane's nonce and the last OSC 1337 RemoteHost. */
export interface InterpretContext {
  readonly nonce: string | undefined;
  /** The nonce as bytes when it is ASCII (compared without decoding), else undefined. */
  readonly nonceBytes: Uint8Array | undefined;
  remoteHost: string | undefined;
}

/** The context for a pane's nonce. */
export function interpretContext(nonce: string | undefined): InterpretContext {
  const ascii = nonce !== undefined && /^[\x20-\x7e]*$/.test(nonce);
  return { nonce: nonce || undefined, nonceBytes: nonce && ascii ? bytesOf(nonce) : undefined, remoteHost: undefined };
}

/** Bytes needed before deciding whether an OSC 9 / 1337 payload is worth buffering (`CurrentDir=`). */
export const PREFIX_DECISION_BYTES = 11;

const SEMI = 0x3b;
const BACKSLASH = 0x5c;
const EQUALS = 0x3d;
const SLASH = 0x2f;
const QUOTE = 0x22;
const MINUS = 0x2d;
const AT = 0x40;

const FILE_SCHEME = bytesOf('file://');
const KITTY_SCHEME = bytesOf('kitty-shell-cwd://');
const CURRENT_DIR = bytesOf('CurrentDir=');
const REMOTE_HOST = bytesOf('RemoteHost=');
const CONEMU_CWD = bytesOf('9;');
// An exit status is at most a 32-bit int; more digits is garbage, not a status.
const MAX_EXIT_DIGITS = 10;

/** True when `buf[0, len)` starts with `prefix`; `caseless` folds ASCII letters. */
function startsWith(buf: Uint8Array, len: number, prefix: Uint8Array, caseless = false): boolean {
  if (len < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    const a = buf[i]!;
    const b = prefix[i]!;
    if (a !== b && !(caseless && (a | 0x20) === b && b >= 0x61 && b <= 0x7a)) return false;
  }
  return true;
}

/** Index of the next `;` in `buf[from, len)`, or `len`. A loop: fields are short, a call costs more. */
function fieldEnd(buf: Uint8Array, from: number, len: number): number {
  for (let i = from; i < len; i++) if (buf[i] === SEMI) return i;
  return len;
}

/**
 * Whether the nonce field `buf[s, e)` equals the pane's nonce. Compared on raw
 * bytes when the field holds no escape (the usual hex nonce), else decoded.
 */
function nonceMatches(buf: Uint8Array, s: number, e: number, ctx: InterpretContext): boolean {
  const want = ctx.nonceBytes;
  if (!ctx.nonce) return false;
  let plain = want !== undefined;
  for (let i = s; i < e; i++) {
    if (buf[i] === BACKSLASH) {
      plain = false;
      break;
    }
  }
  if (!plain || !want) return unescapeVscode(buf, s, e) === ctx.nonce;
  if (e - s !== want.length) return false;
  for (let i = 0; i < want.length; i++) if (buf[s + i] !== want[i]) return false;
  return true;
}

/** Whether an OSC number is one we buffer at all (others are skipped without copying). */
export function isMarkerOsc(id: number): boolean {
  return (
    id === MARKER_OSC.vscode ||
    id === MARKER_OSC.finalTerm ||
    id === MARKER_OSC.cwdUrl ||
    id === MARKER_OSC.iterm2 ||
    id === MARKER_OSC.conemu
  );
}

/**
 * Decide from the first bytes whether a payload can be a marker: true/false,
 * or null while too few bytes have arrived (`complete` = the sequence ended).
 * Keeps iTerm2 inline images and notifications from ever being buffered.
 */
export function wantsPayload(id: number, buf: Uint8Array, len: number, complete: boolean): boolean | null {
  if (id === MARKER_OSC.conemu) {
    if (len < CONEMU_CWD.length && !complete) return null;
    return startsWith(buf, len, CONEMU_CWD);
  }
  if (id === MARKER_OSC.iterm2) {
    if (len < CURRENT_DIR.length && !complete) return null;
    return startsWith(buf, len, CURRENT_DIR) || startsWith(buf, len, REMOTE_HOST);
  }
  return true;
}

/** Parse `[-]digits` in `buf[s, e)`: null when empty, NaN when not an exit status. */
function parseExitCode(buf: Uint8Array, s: number, e: number): number | null {
  if (s === e) return null;
  let neg = false;
  if (buf[s] === MINUS) {
    neg = true;
    s++;
  }
  if (e - s < 1 || e - s > MAX_EXIT_DIGITS) return NaN;
  let v = 0;
  for (let i = s; i < e; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return neg ? -v : v;
}

/** Interpret one complete payload (`buf[0, len)`, the bytes after `Ps;`) of OSC `id`. */
export function interpretPayload(
  id: number,
  buf: Uint8Array,
  len: number,
  offset: number,
  ctx: InterpretContext,
): Interpretation {
  switch (id) {
    case MARKER_OSC.vscode:
      return interpret633(buf, len, offset, ctx);
    case MARKER_OSC.finalTerm:
      return interpret133(buf, len, offset);
    case MARKER_OSC.cwdUrl:
      return interpret7(buf, len, offset);
    case MARKER_OSC.iterm2:
      return interpret1337(buf, len, offset, ctx);
    case MARKER_OSC.conemu:
      return interpret9(buf, len, offset);
    default:
      return SKIPPED;
  }
}

function interpret633(buf: Uint8Array, len: number, offset: number, ctx: InterpretContext): Interpretation {
  if (len === 0) return MALFORMED;
  const cmdEnd = fieldEnd(buf, 0, len);
  // Multi-letter commands (EnvJson, EnvSingleStart, …) are VS Code features we do not use.
  if (cmdEnd !== 1) return SKIPPED;
  const cmd = String.fromCharCode(buf[0]!);
  const argStart = cmdEnd + 1; // may be len + 1 when there are no arguments
  switch (cmd) {
    case 'A':
    case 'B':
    case 'C':
      return { type: OSC633_COMMANDS[cmd], dialect: '633', offset };
    case 'D': {
      const e = argStart <= len ? fieldEnd(buf, argStart, len) : len;
      const exitCode = argStart <= len ? parseExitCode(buf, argStart, e) : null;
      if (Number.isNaN(exitCode)) return MALFORMED;
      return { type: 'command-finished', dialect: '633', exitCode, offset };
    }
    case 'E': {
      if (argStart > len) return { type: 'command-line', commandLine: '', trusted: false, offset };
      const lineEnd = fieldEnd(buf, argStart, len);
      const commandLine = unescapeVscode(buf, argStart, lineEnd);
      const trusted = lineEnd < len && nonceMatches(buf, lineEnd + 1, fieldEnd(buf, lineEnd + 1, len), ctx);
      return { type: 'command-line', commandLine, trusted, offset };
    }
    case 'P': {
      if (argStart > len) return MALFORMED;
      // As VS Code: unescape the first argument, then split at its first '='.
      const text = unescapeVscode(buf, argStart, fieldEnd(buf, argStart, len));
      const eq = text.indexOf('=');
      if (eq <= 0) return MALFORMED;
      const key = text.slice(0, eq);
      const value = text.slice(eq + 1);
      if (key === 'Cwd') return value ? { type: 'cwd', cwd: value, source: '633', offset } : MALFORMED;
      return { type: 'property', key, value, offset };
    }
    default:
      return SKIPPED;
  }
}

function interpret133(buf: Uint8Array, len: number, offset: number): Interpretation {
  if (len === 0) return MALFORMED;
  const cmdEnd = fieldEnd(buf, 0, len);
  if (cmdEnd !== 1) return SKIPPED;
  const cmd = String.fromCharCode(buf[0]!);
  if (!Object.hasOwn(OSC133_COMMANDS, cmd)) return SKIPPED;
  const type = OSC133_COMMANDS[cmd as keyof typeof OSC133_COMMANDS];
  if (type === null) return SKIPPED;
  let options: Record<string, string> | undefined;
  let exitCode: number | null = null;
  let first = true;
  for (let s = cmdEnd + 1; s <= len; first = false) {
    const e = fieldEnd(buf, s, len);
    const eq = buf.indexOf(EQUALS, s);
    if (eq >= 0 && eq < e) {
      // Null prototype: a hostile `__proto__=x` option must stay plain data.
      options ??= Object.create(null) as Record<string, string>;
      options[decodeUtf8(buf, s, eq)] = decodeUtf8(buf, eq + 1, e);
    } else if (first && type === 'command-finished') {
      exitCode = parseExitCode(buf, s, e);
      if (Number.isNaN(exitCode)) return MALFORMED;
    }
    s = e + 1;
  }
  if (type === 'command-finished') {
    return options
      ? { type, dialect: '133', exitCode, offset, options }
      : { type, dialect: '133', exitCode, offset };
  }
  return options ? { type, dialect: '133', offset, options } : { type, dialect: '133', offset };
}

function interpret7(buf: Uint8Array, len: number, offset: number): Interpretation {
  let encoded: boolean;
  let p: number;
  if (startsWith(buf, len, FILE_SCHEME, true)) {
    encoded = true;
    p = FILE_SCHEME.length;
  } else if (startsWith(buf, len, KITTY_SCHEME, true)) {
    encoded = false;
    p = KITTY_SCHEME.length;
  } else return MALFORMED;
  const slash = buf.indexOf(SLASH, p);
  if (slash < 0 || slash >= len) return MALFORMED;
  const hostBytes = encoded ? percentDecode(buf, p, slash) : buf.subarray(p, slash);
  const pathBytes = encoded ? percentDecode(buf, slash, len) : buf.subarray(slash, len);
  // A NUL cannot be in a path: such a URL is forged or broken, not a directory.
  if (pathBytes.indexOf(0) >= 0 || hostBytes.indexOf(0) >= 0) return MALFORMED;
  const cwd = decodeUtf8(pathBytes);
  const host = decodeUtf8(hostBytes);
  return host ? { type: 'cwd', cwd, source: '7', host, offset } : { type: 'cwd', cwd, source: '7', offset };
}

function interpret1337(buf: Uint8Array, len: number, offset: number, ctx: InterpretContext): Interpretation {
  if (startsWith(buf, len, CURRENT_DIR)) {
    if (len === CURRENT_DIR.length) return MALFORMED;
    const cwd = decodeUtf8(buf, CURRENT_DIR.length, len);
    return ctx.remoteHost
      ? { type: 'cwd', cwd, source: '1337', host: ctx.remoteHost, offset }
      : { type: 'cwd', cwd, source: '1337', offset };
  }
  if (startsWith(buf, len, REMOTE_HOST)) {
    const value = decodeUtf8(buf, REMOTE_HOST.length, len);
    const at = buf.lastIndexOf(AT, len - 1);
    const hostStart = at >= REMOTE_HOST.length ? at + 1 : REMOTE_HOST.length;
    ctx.remoteHost = decodeUtf8(buf, hostStart, len) || undefined;
    return { type: 'property', key: 'RemoteHost', value, offset };
  }
  return SKIPPED;
}

function interpret9(buf: Uint8Array, len: number, offset: number): Interpretation {
  if (!startsWith(buf, len, CONEMU_CWD)) return SKIPPED;
  let s = CONEMU_CWD.length;
  let e = len;
  if (e - s >= 2 && buf[s] === QUOTE && buf[e - 1] === QUOTE) {
    s++;
    e--;
  }
  if (s === e) return MALFORMED;
  return { type: 'cwd', cwd: decodeUtf8(buf, s, e), source: '9', offset };
}
