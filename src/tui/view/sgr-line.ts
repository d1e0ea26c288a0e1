/**
 * One captured line of a tmux pane (`capture-pane -e`: text with SGR
 * sequences) as styled segments, for the detail panel's preview. Only SGR
 * is understood; every other escape sequence (OSC, DCS, cursor moves) and
 * every control character is dropped, so nothing the pane printed reaches
 * the terminal except as text. Non-goals: cursor movement (capture has
 * none), a PTY session's screen (screen-cells.ts replays that).
 */
import type { ScreenColor, Seg, Style } from './line.js';

/** The SGR state while reading a line. */
interface Pen {
  fg?: ScreenColor;
  bg?: ScreenColor;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
}

const ESC = 0x1b;
/** C0, DEL and C1 control characters: a terminal acts on all of them. */
const isControl = (c: number) => c < 0x20 || (c >= 0x7f && c <= 0x9f);

const byte = (n: number | undefined): number => Math.max(0, Math.min(255, Math.trunc(n ?? 0)));

/**
 * An extended colour (38/48/58) starting at `params[i]`, in either form:
 * `38;5;N` / `38;2;R;G;B` (separate parameters) or `38:5:N` / `38:2::R:G:B` /
 * `38:2:R:G:B` (sub-parameters of one). Returns the colour (null when
 * malformed) and the index of the next parameter.
 */
function extended(params: readonly string[], i: number): { color: ScreenColor | null; next: number } {
  const sub = params[i]!.split(':');
  if (sub.length > 1) {
    const nums = sub.slice(1).map(Number);
    if (nums[0] === 5) return { color: nums.length >= 2 ? { kind: 'palette', index: byte(nums[1]) } : null, next: i + 1 };
    // 38:2:CS:R:G:B (with a colour space id, possibly empty) or 38:2:R:G:B.
    if (nums[0] === 2) {
      const rgb = sub.length >= 6 ? nums.slice(2, 5) : nums.slice(1, 4);
      return { color: rgb.length === 3 ? { kind: 'rgb', r: byte(rgb[0]), g: byte(rgb[1]), b: byte(rgb[2]) } : null, next: i + 1 };
    }
    return { color: null, next: i + 1 };
  }
  const mode = Number(params[i + 1]);
  if (mode === 5) return { color: params[i + 2] !== undefined ? { kind: 'palette', index: byte(Number(params[i + 2])) } : null, next: i + 3 };
  if (mode === 2) {
    if (params[i + 4] === undefined) return { color: null, next: params.length };
    return { color: { kind: 'rgb', r: byte(Number(params[i + 2])), g: byte(Number(params[i + 3])), b: byte(Number(params[i + 4])) }, next: i + 5 };
  }
  return { color: null, next: i + 2 };
}

/** Apply one SGR sequence's parameters (`1;31`, `38:2::1:2:3`, empty = reset). */
function applySgr(pen: Pen, body: string): Pen {
  const params = body === '' ? ['0'] : body.split(';');
  let p: Pen = { ...pen };
  for (let i = 0; i < params.length; ) {
    const head = params[i]!.split(':')[0]!;
    const n = head === '' ? 0 : Number(head);
    if (n === 38 || n === 48 || n === 58) {
      const { color, next } = extended(params, i);
      if (color && n === 38) p.fg = color;
      if (color && n === 48) p.bg = color;
      i = next;
      continue;
    }
    i++;
    if (n === 0) p = {};
    else if (n === 1) p.bold = true;
    else if (n === 2) p.dim = true;
    else if (n === 3) p.italic = true;
    // 4:0 is "no underline"; 4:1…4:5 are its styles, and 21 is double.
    else if (n === 4) p.underline = params[i - 1] !== '4:0';
    else if (n === 21) p.underline = true;
    else if (n === 7) p.inverse = true;
    else if (n === 22) p.bold = p.dim = false;
    else if (n === 23) p.italic = false;
    else if (n === 24) p.underline = false;
    else if (n === 27) p.inverse = false;
    else if (n >= 30 && n <= 37) p.fg = { kind: 'palette', index: n - 30 };
    else if (n === 39) delete p.fg;
    else if (n >= 40 && n <= 47) p.bg = { kind: 'palette', index: n - 40 };
    else if (n === 49) delete p.bg;
    else if (n >= 90 && n <= 97) p.fg = { kind: 'palette', index: n - 90 + 8 };
    else if (n >= 100 && n <= 107) p.bg = { kind: 'palette', index: n - 100 + 8 };
  }
  return p;
}

/** The segment style of a pen (only what is set, so equal looks compare equal). */
function styleOf(p: Pen): Style {
  return {
    ...(p.fg ? { color: p.fg } : {}),
    ...(p.bg ? { bg: p.bg } : {}),
    ...(p.bold ? { bold: true } : {}),
    ...(p.dim ? { dim: true } : {}),
    ...(p.italic ? { italic: true } : {}),
    ...(p.underline ? { underline: true } : {}),
    ...(p.inverse ? { inverse: true } : {}),
  };
}

/** Where the string sequence (OSC, DCS, SOS, PM, APC) starting at `from` ends: after BEL or ESC \, or at the end. */
function stringEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x07 || c === 0x9c) return i + 1;
    if (c === ESC && text[i + 1] === '\\') return i + 2;
  }
  return text.length;
}

/** A line of text with SGR sequences as styled segments; every other sequence and control character dropped. */
export function sgrLine(text: string): Seg[] {
  const out: Seg[] = [];
  let pen: Pen = {};
  let run = '';
  const flush = () => {
    if (run) out.push({ text: run, ...styleOf(pen) });
    run = '';
  };
  let i = 0;
  while (i < text.length) {
    const next = text.indexOf('\x1b', i);
    const end = next < 0 ? text.length : next;
    for (const ch of text.slice(i, end)) {
      const c = ch.codePointAt(0)!;
      if (c === 0x09) run += ' ';
      else if (!isControl(c)) run += ch;
    }
    if (next < 0) break;
    const kind = text[next + 1];
    if (kind === '[') {
      // CSI: parameters 0x30–0x3f, intermediates 0x20–0x2f, one final byte 0x40–0x7e.
      let j = next + 2;
      while (j < text.length && text.charCodeAt(j) >= 0x30 && text.charCodeAt(j) <= 0x3f) j++;
      const params = text.slice(next + 2, j);
      while (j < text.length && text.charCodeAt(j) >= 0x20 && text.charCodeAt(j) <= 0x2f) j++;
      const final = text[j];
      if (final === 'm' && j === next + 2 + params.length && /^[0-9;:]*$/.test(params)) {
        flush();
        pen = applySgr(pen, params);
      }
      i = final === undefined ? text.length : j + 1;
    } else if (kind === ']' || kind === 'P' || kind === 'X' || kind === '^' || kind === '_') {
      i = stringEnd(text, next + 2);
    } else {
      // ESC and the one character after it (a two-byte sequence), or a lone ESC at the end.
      i = Math.min(text.length, next + 2);
    }
  }
  flush();
  return out;
}
