/**
 * Canonical JSON (sorted keys, no whitespace) and the SHA-256 seal over a
 * checkpoint body. Non-goals: schema validation (store.ts), file I/O.
 */
import { createHash } from 'node:crypto';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION } from './format.js';
import type { CheckpointBody, CheckpointFile } from './schema.js';

/** Canonical JSON of a JSON value: keys sorted by code unit, no whitespace, undefined keys dropped. */
export function canonicalJson(value: unknown): string {
  // JSON.stringify with a replacer that hands it key-sorted objects does the
  // string building in C++: a 400-pane body takes ~1 ms instead of the
  // ~15 ms of building strings in JavaScript (cold, as in a one-shot CLI).
  // An object with a key starting with a digit may be an array-index key,
  // which V8 enumerates before the others whatever the insertion order:
  // such values take the plain recursive path.
  try {
    const out = JSON.stringify(value, sortingReplacer);
    if (out === undefined) throw new TypeError(`Expected a JSON value, got ${typeof value}`);
    return out;
  } catch (error) {
    if (error === INDEX_LIKE_KEY) return canonicalJsonSlow(value);
    throw error;
  }
}

const INDEX_LIKE_KEY = new Error('index-like key');

function sortingReplacer(_key: string, v: unknown): unknown {
  switch (typeof v) {
    case 'number':
      // JSON has no NaN/Infinity; letting them become "null" would make two
      // different bodies hash the same.
      if (!Number.isFinite(v)) throw new TypeError(`Expected a finite number, got ${v}`);
      return v;
    case 'function':
    case 'symbol':
    case 'bigint':
      throw new TypeError(`Expected a JSON value, got ${typeof v}`);
    case 'object': {
      if (v === null || Array.isArray(v)) return v;
      const obj = v as Record<string, unknown>;
      const keys = Object.keys(obj);
      let sorted = true;
      for (let i = 0; i < keys.length; i++) {
        const c = keys[i]!.charCodeAt(0);
        if (c >= 0x30 && c <= 0x39) throw INDEX_LIKE_KEY;
        if (i > 0 && keys[i - 1]! > keys[i]!) sorted = false;
      }
      if (sorted) return obj;
      const copy: Record<string, unknown> = {};
      for (const k of keys.sort()) copy[k] = obj[k];
      return copy;
    }
    default:
      return v;
  }
}

/** The same canonical form, built recursively (any key order V8 keeps). */
function canonicalJsonSlow(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`Expected a finite number, got ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJsonSlow(v))).join(',')}]`;
  }
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(obj).sort()) {
      const v = obj[key];
      if (v === undefined) continue;
      parts.push(`${JSON.stringify(key)}:${canonicalJsonSlow(v)}`);
    }
    return `{${parts.join(',')}}`;
  }
  throw new TypeError(`Expected a JSON value, got ${typeof value}`);
}

/** SHA-256 (lowercase hex) of a string (UTF-8) or bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Wrap a body in the on-disk envelope with its format marker, version and checksum. */
export function sealCheckpoint(body: CheckpointBody): CheckpointFile {
  return sealCheckpointText(body).file;
}

/**
 * The sealed envelope and its file text (one line), serialising the body
 * once: the text embeds the canonical JSON the checksum was computed over.
 */
export function sealCheckpointText(body: CheckpointBody): { file: CheckpointFile; text: string } {
  const canonical = canonicalJson(body);
  const file: CheckpointFile = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, sha256: sha256Hex(canonical), body };
  const head = JSON.stringify({ format: file.format, version: file.version, sha256: file.sha256 });
  return { file, text: `${head.slice(0, -1)},"body":${canonical}}\n` };
}

/** Result of checking a seal. */
export type SealCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Check that `sha256` matches the canonical JSON of `body` (raw, before schema stripping). */
export function verifySeal(file: { readonly sha256: unknown; readonly body: unknown }): SealCheck {
  let actual: string;
  try {
    actual = sha256Hex(canonicalJson(file.body));
  } catch (error) {
    return { ok: false, reason: `body is not canonical JSON: ${(error as Error).message}` };
  }
  if (actual !== file.sha256) {
    return {
      ok: false,
      reason: `checksum mismatch: file says sha256 ${String(file.sha256).slice(0, 12)}…, body hashes to ${actual.slice(0, 12)}…`,
    };
  }
  return { ok: true };
}
