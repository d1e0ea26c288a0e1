/**
 * A screen line as styled segments. Every part of the interface is built as
 * lines of exactly the terminal's width by pure functions; the Ink
 * components render them, and the first frame (painted before Ink has
 * loaded) writes the same lines as ANSI. So both always look alike.
 */
import { textWidth, truncate } from './text.js';

/** Colours the interface uses (Ink colour names). */
export type Color = 'green' | 'red' | 'yellow' | 'cyan' | 'blue' | 'magenta' | 'gray';

/**
 * A colour a program chose for its screen (a session's preview): an entry of
 * the 256-colour palette (0–15 are the 16 ANSI colours the terminal's theme
 * sets) or a 24-bit colour.
 */
export type ScreenColor = { readonly kind: 'palette'; readonly index: number } | { readonly kind: 'rgb'; readonly r: number; readonly g: number; readonly b: number };

/** A run of text with one style. */
export interface Seg {
  readonly text: string;
  /** Foreground: one of the interface's colours, or a program's (a screen preview). */
  readonly color?: Color | ScreenColor;
  /** Background, only a program's (a screen preview). */
  readonly bg?: ScreenColor;
  readonly bold?: boolean;
  readonly dim?: boolean;
  readonly italic?: boolean;
  readonly underline?: boolean;
  readonly inverse?: boolean;
}

/** One screen line. */
export type Line = readonly Seg[];

/** Style of a segment, without its text. */
export type Style = Omit<Seg, 'text'>;

/** A segment. */
export const seg = (text: string, style: Style = {}): Seg => ({ text, ...style });

/** Cells a line takes. */
export const lineWidth = (line: Line): number => line.reduce((n, s) => n + textWidth(s.text), 0);

/** The line cut (with "…") or padded with spaces to exactly `width` cells. */
export function fitLine(line: Line, width: number): Line {
  const out: Seg[] = [];
  let used = 0;
  const total = lineWidth(line);
  for (const s of line) {
    const w = textWidth(s.text);
    if (total <= width || used + w <= width - 1) {
      out.push(s);
      used += w;
      continue;
    }
    const room = width - used;
    if (room > 0) {
      const cut = truncate(s.text, room);
      out.push({ ...s, text: cut });
      used += textWidth(cut);
    }
    break;
  }
  if (used < width) out.push(seg(' '.repeat(width - used)));
  return out;
}

/**
 * The line without its trailing unstyled blanks: a terminal shows nothing
 * different, and Ink's renderer spends its time per character written.
 */
export function trimEnd(line: Line): Line {
  const out = [...line];
  while (out.length) {
    const last = out[out.length - 1]!;
    const styled = last.color || last.bg || last.bold || last.dim || last.italic || last.underline || last.inverse;
    if (styled) break;
    const t = last.text.replace(/ +$/, '');
    if (t) {
      out[out.length - 1] = { ...last, text: t };
      break;
    }
    out.pop();
  }
  return out;
}

/** Plain text of a line. */
export const plain = (line: Line): string => line.map((s) => s.text).join('');

const SGR: Record<Color, number> = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90 };

/** The SGR parameters of a colour: 30–37/90–97 for the 16 (their background forms with `bg`), else 38;5;N or 38;2;R;G;B. */
function colorParams(c: Color | ScreenColor, bg: boolean): string {
  if (typeof c === 'string') return String(SGR[c] + (bg ? 10 : 0));
  if (c.kind === 'rgb') return `${bg ? 48 : 38};2;${c.r};${c.g};${c.b}`;
  if (c.index < 8) return String((bg ? 40 : 30) + c.index);
  if (c.index < 16) return String((bg ? 100 : 90) + c.index - 8);
  return `${bg ? 48 : 38};5;${c.index}`;
}

/**
 * The line as ANSI text; colours only when `color` (NO_COLOR keeps bold,
 * inverse and the rest). These are the only escape sequences a frame holds:
 * a program's screen arrives as cells and leaves as our own SGR.
 */
export function toAnsi(line: Line, color: boolean): string {
  let out = '';
  for (const s of line) {
    // One sequence per attribute: the simplest form every ANSI tokenizer reads (Ink's too).
    let open = '';
    if (s.bold) open += '\x1b[1m';
    if (s.dim) open += '\x1b[2m';
    if (s.italic) open += '\x1b[3m';
    if (s.underline) open += '\x1b[4m';
    if (s.inverse) open += '\x1b[7m';
    if (color && s.color) open += `\x1b[${colorParams(s.color, false)}m`;
    if (color && s.bg) open += `\x1b[${colorParams(s.bg, true)}m`;
    out += open ? `${open}${s.text}\x1b[0m` : s.text;
  }
  return out;
}
