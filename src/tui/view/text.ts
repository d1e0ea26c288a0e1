/**
 * Terminal cell widths for the TUI's fixed-width lines: how many columns a
 * string takes, and cutting or padding it to an exact width. Deliberately
 * small (the common wide and zero-width ranges); control bytes are shown
 * visibly first (checkpoints/words.ts visible()), so they never reach the
 * terminal.
 */

/** Zero-width code points: combining marks, variation selectors, joiners. */
function zeroWidth(cp: number): boolean {
  return (
    (cp >= 0x300 && cp <= 0x36f) ||
    (cp >= 0x200b && cp <= 0x200f) ||
    (cp >= 0xfe00 && cp <= 0xfe0f) ||
    (cp >= 0x1ab0 && cp <= 0x1aff) ||
    (cp >= 0x20d0 && cp <= 0x20ff)
  );
}

/** East Asian wide and fullwidth code points, and emoji: two cells. */
function wide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** Cells one code point takes. */
export function charWidth(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0;
  if (zeroWidth(cp)) return 0;
  return wide(cp) ? 2 : 1;
}

/** Columns `s` takes on a terminal. */
export function textWidth(s: string): number {
  let n = 0;
  for (const ch of s) n += charWidth(ch);
  return n;
}

/** Cut `s` to at most `width` cells, ending with "…" when cut. */
export function truncate(s: string, width: number): string {
  if (width <= 0) return '';
  if (textWidth(s) <= width) return s;
  let out = '';
  let n = 0;
  for (const ch of s) {
    const w = charWidth(ch);
    if (n + w > width - 1) break;
    out += ch;
    n += w;
  }
  return `${out}…`;
}

/** `s` cut or padded with spaces to exactly `width` cells. */
export function fit(s: string, width: number): string {
  const t = truncate(s, width);
  return t + ' '.repeat(Math.max(0, width - textWidth(t)));
}

/** `s` right-aligned in `width` cells. */
export function fitRight(s: string, width: number): string {
  const t = truncate(s, width);
  return ' '.repeat(Math.max(0, width - textWidth(t))) + t;
}

/** "12 KB", "1.2 MB". */
export function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Split `s` into lines of at most `width` cells, at spaces where possible. */
export function wrap(s: string, width: number): string[] {
  if (width <= 0) return [s];
  const out: string[] = [];
  let cur = '';
  for (const word of s.split(' ')) {
    const next = cur ? `${cur} ${word}` : word;
    if (textWidth(next) <= width) {
      cur = next;
      continue;
    }
    if (cur) out.push(cur);
    // A word longer than a line is cut into line-sized pieces.
    let rest = word;
    while (textWidth(rest) > width) {
      let piece = '';
      for (const ch of rest) {
        if (textWidth(piece + ch) > width) break;
        piece += ch;
      }
      out.push(piece);
      rest = rest.slice(piece.length);
    }
    cur = rest;
  }
  if (cur || out.length === 0) out.push(cur);
  return out;
}
