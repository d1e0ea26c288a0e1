/**
 * Canonical JSON (sorted keys, no whitespace) and the SHA-256 seal over a
 * checkpoint body. Non-goals: schema validation (store.ts), file I/O.
 */
import { createHash } from 'node:crypto';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION } from './format.js';
import type { CheckpointBody, CheckpointFile } from './schema.js';

/** Canonical JSON of a JSON value: keys sorted by code unit, no whitespace, undefined keys dropped. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    // JSON has no NaN/Infinity; letting them become "null" would make two
    // different bodies hash the same.
    if (!Number.isFinite(value)) throw new TypeError(`Expected a finite number, got ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  }
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(obj).sort()) {
      const v = obj[key];
      if (v === undefined) continue;
      parts.push(`${JSON.stringify(key)}:${canonicalJson(v)}`);
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
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    sha256: sha256Hex(canonicalJson(body)),
    body,
  };
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
