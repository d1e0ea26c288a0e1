/**
 * Pane contents as content-addressed msgpack blobs (`blobs/<sha256>.msgpack`):
 * identical contents are stored once and a save that finds its blob skips the
 * write. Non-goals: capturing contents (sessions/), deciding what to prune.
 */
import { statSync, utimesSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { Packr } from 'msgpackr';
import { fsyncDir, writeFileAtomic } from './atomic-write.js';
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
  /**
   * Store blobs (results in order), skipping those already stored: new ones
   * are written in parallel and the directory is fsynced once, after the
   * last rename.
   */
  putMany(blobs: readonly ContentsBlob[]): Promise<Result<PutBlobResult[]>>;
  /** Read a blob, verifying its hash and shape. */
  get(sha256: string): Promise<Result<ContentsBlob>>;
  /** True when the blob file exists (no hash check; reading does that), or this store put it. */
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

  // Blobs this store wrote or found in place: the checkpoint that references
  // them needs no second existence check.
  const confirmed = new Set<string>();

  const ioFail = (file: string, error: unknown): Result<never> => {
    const e = error as Error & { code?: string };
    return err({ kind: 'io', file, reason: e.code ?? 'UNKNOWN', message: e.message, ...(e.code ? { code: e.code } : {}) });
  };

  /**
   * True when an identical blob is already stored. Synchronous: two cheap
   * syscalls, for up to hundreds of panes per save, cost less than as many
   * thread-pool round trips.
   */
  const present = (file: string, size: number): boolean => {
    try {
      if (statSync(file).size !== size) return false;
    } catch {
      return false; // not there yet (or unreadable): write it
    }
    // Touch it: retention spares young unreferenced blobs, so a blob a save
    // is about to reference cannot be pruned underneath it.
    const now = new Date();
    try {
      utimesSync(file, now, now);
    } catch {
      // Still there; only its age is stale.
    }
    return true;
  };

  const putMany = async (blobs: readonly ContentsBlob[]): Promise<Result<PutBlobResult[]>> => {
    const encoded = blobs.map((blob) => {
      const bytes = encodeContentsBlob(blob);
      return { bytes, sha: sha256Hex(bytes) };
    });
    const results = await Promise.all(
      encoded.map(async ({ bytes, sha }): Promise<Result<PutBlobResult>> => {
        const file = path(sha);
        if (present(file, bytes.byteLength)) return ok({ sha256: sha, bytes: bytes.byteLength, written: false });
        try {
          await writeFileAtomic(file, bytes, { ...(options.hintDir ? { hintDir: options.hintDir } : {}), syncDir: false });
        } catch (error) {
          return ioFail(file, error);
        }
        return ok({ sha256: sha, bytes: bytes.byteLength, written: true });
      }),
    );
    const out: PutBlobResult[] = [];
    for (const r of results) {
      if (!r.ok) return r;
      out.push(r.value);
    }
    if (out.some((r) => r.written)) {
      try {
        await fsyncDir(dir);
      } catch (error) {
        return ioFail(dir, error);
      }
    }
    for (const r of out) confirmed.add(r.sha256);
    return ok(out);
  };

  return {
    path,
    putMany,
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
      if (confirmed.has(sha)) return true;
      try {
        return (await stat(path(sha))).isFile();
      } catch {
        return false;
      }
    },
  };
}
