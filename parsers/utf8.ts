/**
 * UTF-8 bytes → string, WHATWG-exact (each maximal invalid subpart becomes one
 * U+FFFD). Exists because parsers/ has no DOM or Node types, so no TextDecoder;
 * it only decodes the short values of markers, not bulk output.
 */

const REPLACEMENT = 0xfffd;
// String.fromCharCode.apply takes an argument list; flush well below engine limits.
const FLUSH_AT = 4096;

/** Decode `bytes[start, end)` as UTF-8, replacing invalid sequences with U+FFFD. */
export function decodeUtf8(bytes: Uint8Array, start = 0, end = bytes.length): string {
  // Fast path: most marker values (cwd, command lines) are short ASCII.
  if (end - start <= FLUSH_AT) {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if (bytes[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  }
  let out = '';
  const units: number[] = [];
  let i = start;
  while (i < end) {
    const b = bytes[i]!;
    if (b < 0x80) {
      units.push(b);
      i++;
    } else {
      let need: number;
      let cp: number;
      let lower = 0x80;
      let upper = 0xbf;
      if (b >= 0xc2 && b <= 0xdf) {
        need = 1;
        cp = b & 0x1f;
      } else if (b >= 0xe0 && b <= 0xef) {
        need = 2;
        cp = b & 0x0f;
        if (b === 0xe0) lower = 0xa0;
        else if (b === 0xed) upper = 0x9f; // no UTF-16 surrogates
      } else if (b >= 0xf0 && b <= 0xf4) {
        need = 3;
        cp = b & 0x07;
        if (b === 0xf0) lower = 0x90;
        else if (b === 0xf4) upper = 0x8f; // nothing above U+10FFFF
      } else {
        units.push(REPLACEMENT);
        i++;
        continue;
      }
      i++;
      let ok = true;
      for (let k = 0; k < need; k++) {
        const c = i < end ? bytes[i]! : -1;
        if (c < lower || c > upper) {
          ok = false; // the offending byte is not consumed: it starts the next decode
          break;
        }
        lower = 0x80;
        upper = 0xbf;
        cp = (cp << 6) | (c & 0x3f);
        i++;
      }
      if (!ok) units.push(REPLACEMENT);
      else if (cp >= 0x10000) {
        cp -= 0x10000;
        units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
      } else units.push(cp);
    }
    if (units.length >= FLUSH_AT) {
      out += String.fromCharCode.apply(null, units);
      units.length = 0;
    }
  }
  return units.length ? out + String.fromCharCode.apply(null, units) : out;
}

