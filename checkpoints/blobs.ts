/**
 * Pane contents as content-addressed msgpack blobs (`blobs/<sha256>.msgpack`):
 * identical contents are stored once and a save that finds its blob skips the
 * write. Non-goals: capturing contents (sessions/), deciding what to prune.
 */
import { readFile, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { Packr } from 'msgpackr';
import { writeFileAtomic } from './atomic-write.js';
import { sha256Hex } from './canonical.js';
import { err, ok, type CheckpointError, type Result } from './result.js';
import type { ContentsBlob } from './schema.js';

/** Blob file suffix. */
export const BLOB_SUFFIX = '.msgpack' as const;

// Plain msgpack maps (no msgpackr records/structures): the bytes depend only
// on the value, so the same contents always hash to the same name.
// Loaded on first use (synchronously, through require): a save with
// contents disabled, and every listing, never pays msgpackr's ~35 ms load.
let packrInstance: Packr | undefined;
function packr(): Packr {
  if (!packrInstance) {
    const { Packr: PackrClass } = createRequire(import.meta.url)('msgpackr') as typeof import('msgpackr');
    packrInstance = new PackrClass({ useRecords: false, mapsAsObjects: true, moreTypes: false });
  }
  return packrInstance;
}

/** Shape check of a decoded blob (hand-written: saves need no schema library). */
function isContentsBlob(value: unknown): value is ContentsBlob {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.v === 1 && typeof v.normal === 'string' && (v.alternate === null || typeof v.alternate === 'string');
}

/** Encode a contents blob deterministically (fixed key order). */
export function encodeContentsBlob(blob: ContentsBlob): Buffer {
  return packr().pack({ v: blob.v, normal: blob.normal, alternate: blob.alternate });
}

/** Where a blob was stored. */
export interface PutBlobResult {
  readonly sha256: string;
  readonly bytes: number;
  /** False when an identical blob already existed (nothing was written). */
  readonly written: boolean;
}

/** Content-addressed blob storage in one directory. */
export interface BlobStore {
  /** Path of the blob with this hash. */
  path(sha256: string): string;
  /** Store contents; skips the write when the blob already exists. */
  put(blob: ContentsBlob): Promise<Result<PutBlobResult>>;
  /** Read a blob, verifying its hash and shape. */
  get(sha256: string): Promise<Result<ContentsBlob>>;
  /** True when the blob file exists (no hash check; reading does that). */
  has(sha256: string): Promise<boolean>;
}

/** Options for createBlobStore. */
export interface BlobStoreOptions {
  /** The blobs directory (must exist). */
  readonly dir: string;
  /** Directory named in error messages. */
  readonly hintDir?: string;
}

const SHA_RE = /^[0-9a-f]{64}$/;

/** A blob store over `dir`. */
export function createBlobStore(options: BlobStoreOptions): BlobStore {
  const { dir } = options;
  const path = (sha: string) => join(dir, `${sha}${BLOB_SUFFIX}`);

  const fail = (kind: CheckpointError['kind'], file: string, reason: string, code?: string): Result<never> =>
    err({ kind, file, reason, message: `Blob ${file} is unusable (${reason})`, ...(code ? { code } : {}) });

  return {
    path,
    async put(blob) {
      const bytes = encodeContentsBlob(blob);
      const sha = sha256Hex(bytes);
      const file = path(sha);
      try {
        const st = await stat(file);
        if (st.size === bytes.byteLength) {
          // Touch it: retention spares young unreferenced blobs, so a blob a
          // save is about to reference cannot be pruned underneath it.
          const now = new Date();
          await utimes(file, now, now).catch(() => {});
          return ok({ sha256: sha, bytes: bytes.byteLength, written: false });
        }
      } catch {
        // Not there yet (or unreadable): write it.
      }
      try {
        await writeFileAtomic(file, bytes, options.hintDir ? { hintDir: options.hintDir } : {});
      } catch (error) {
        const e = error as Error & { code?: string };
        return err({ kind: 'io', file, reason: e.code ?? 'UNKNOWN', message: e.message, ...(e.code ? { code: e.code } : {}) });
      }
      return ok({ sha256: sha, bytes: bytes.byteLength, written: true });
    },
    async get(sha) {
      if (!SHA_RE.test(sha)) return fail('bad-id', path('?'), `expected a sha256 hex name, got ${JSON.stringify(sha)}`);
      const file = path(sha);
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'UNKNOWN';
        return code === 'ENOENT' ? fail('not-found', file, 'missing') : fail('io', file, code, code);
      }
      const actual = sha256Hex(bytes);
      if (actual !== sha) return fail('corrupt', file, `content hashes to ${actual.slice(0, 12)}…`);
      let value: unknown;
      try {
        value = packr().unpack(bytes);
      } catch (error) {
        return fail('corrupt', file, `invalid msgpack: ${(error as Error).message}`);
      }
      if (!isContentsBlob(value)) return fail('corrupt', file, 'not a contents blob (expected {v: 1, normal, alternate})');
      return ok({ v: 1, normal: value.normal, alternate: value.alternate });
    },
    async has(sha) {
      if (!SHA_RE.test(sha)) return false;
      try {
        return (await stat(path(sha))).isFile();
      } catch {
        return false;
      }
    },
  };
}
