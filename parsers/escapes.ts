/**
 * Byte-level unescaping of marker values: VS Code's `\\` / `\xHH` (OSC 633)
 * and URL percent-encoding (OSC 7). One pass over bytes, then UTF-8 — so
 * consecutive escaped bytes form one character. No splitting or validation here.
 */
import { decodeUtf8 } from './utf8.js';

const BACKSLASH = 0x5c;
const PERCENT = 0x25;
const LOWER_X = 0x78;
let scratch = new Uint8Array(256);

/** Value of one ASCII hex digit, or -1 (case-insensitive, as VS Code's `/\\x([0-9a-f]{2})/i`). */
export function hexValue(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  const l = b | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/**
 * Decode OSC 633 escaping of `bytes[start, end)`: `\\` → `\`, `\xHH` → byte HH,
 * anything else (a truncated `\x4`, a lone trailing `\`, `\q`) stays literal,
 * exactly like VS Code's `deserializeMessage`; the bytes are then read as UTF-8.
 */
export function unescapeVscode(bytes: Uint8Array, start: number, end: number): string {
  let i = start;
  while (i < end && bytes[i] !== BACKSLASH) i++;
  if (i === end) return decodeUtf8(bytes, start, end);
  // Values are decoded straight into a string, so one shared scratch buffer serves every parser.
  if (scratch.length < end - start) scratch = new Uint8Array(end - start);
  const out = scratch;
  let n = 0;
  for (let k = start; k < i; k++) out[n++] = bytes[k]!;
  while (i < end) {
    const b = bytes[i]!;
    if (b === BACKSLASH && i + 1 < end) {
      const next = bytes[i + 1]!;
      if (next === BACKSLASH) {
        out[n++] = BACKSLASH;
        i += 2;
        continue;
      }
      if ((next | 0x20) === LOWER_X && i + 3 < end) {
        const hi = hexValue(bytes[i + 2]!);
        const lo = hexValue(bytes[i + 3]!);
        if (hi >= 0 && lo >= 0) {
          out[n++] = (hi << 4) | lo;
          i += 4;
          continue;
        }
      }
    }
    out[n++] = b;
    i++;
  }
  return decodeUtf8(out, 0, n);
}

/**
 * Percent-decode `bytes[start, end)` into bytes (`%HH` → byte HH); a `%` not
 * followed by two hex digits stays literal, as WHATWG URL parsing does.
 */
export function percentDecode(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  let n = 0;
  let i = start;
  while (i < end) {
    const b = bytes[i]!;
    if (b === PERCENT && i + 2 < end) {
      const hi = hexValue(bytes[i + 1]!);
      const lo = hexValue(bytes[i + 2]!);
      if (hi >= 0 && lo >= 0) {
        out[n++] = (hi << 4) | lo;
        i += 3;
        continue;
      }
    }
    out[n++] = b;
    i++;
  }
  return out.subarray(0, n);
}
