/**
 * A screen line as styled segments. Every part of the interface is built as
 * lines of exactly the terminal's width by pure functions; the Ink
 * components render them, and the first frame (painted before Ink has
 * loaded) writes the same lines as ANSI. So both always look alike.
 */
import { textWidth, truncate } from './text.js';

/** Colours the interface uses (Ink colour names). */
export type Color = 'green' | 'red' | 'yellow' | 'cyan' | 'blue' | 'magenta' | 'gray';

/** A run of text with one style. */
export interface Seg {
  readonly text: string;
  readonly color?: Color;
  readonly bold?: boolean;
  readonly dim?: boolean;
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

/** Plain text of a line. */
export const plain = (line: Line): string => line.map((s) => s.text).join('');

const SGR: Record<Color, number> = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90 };

/** The line as ANSI text; colours only when `color` (NO_COLOR keeps bold/inverse). */
export function toAnsi(line: Line, color: boolean): string {
  let out = '';
  for (const s of line) {
    const codes: number[] = [];
    if (s.bold) codes.push(1);
    if (s.dim) codes.push(2);
    if (s.inverse) codes.push(7);
    if (color && s.color) codes.push(SGR[s.color]);
    out += codes.length ? `\x1b[${codes.join(';')}m${s.text}\x1b[0m` : s.text;
  }
  return out;
}
