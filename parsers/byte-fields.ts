/**
 * Small byte-level field helpers shared by the parsers: ASCII constants as
 * bytes, prefix tests, decimal numbers, space-separated tokens. No decoding of text.
 */

const SPACE = 0x20;
// Decimal fields longer than this are not tmux numbers (2^53 has 16 digits).
const MAX_NUMBER_DIGITS = 15;

/** An ASCII string as bytes (for constant prefixes). */
export function bytesOf(ascii: string): Uint8Array {
  const out = new Uint8Array(ascii.length);
  for (let i = 0; i < ascii.length; i++) out[i] = ascii.charCodeAt(i);
  return out;
}

/** True when `src[s, e)` starts with `prefix`. */
export function hasPrefix(src: Uint8Array, s: number, e: number, prefix: Uint8Array): boolean {
  if (e - s < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (src[s + i] !== prefix[i]) return false;
  return true;
}

/** Decimal digits in `src[s, e)` as a number; -1 when empty, too long or not all digits. */
export function parseNumber(src: Uint8Array, s: number, e: number): number {
  if (e <= s || e - s > MAX_NUMBER_DIGITS) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const d = src[i]! - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Index of the next space in `src[from, e)`, or `e`. */
export function tokenEnd(src: Uint8Array, from: number, e: number): number {
  for (let i = from; i < e; i++) if (src[i] === SPACE) return i;
  return e;
}
