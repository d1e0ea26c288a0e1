/**
 * The checkpoint index (lowdb, `index.json`): a cache for fast listing,
 * rebuilt from the checkpoint files whenever it is missing, corrupt or stale.
 * Non-goals: being the truth — the files are; reading checkpoints (the store
 * passes an `inspect` function).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { isTempName, writeFileAtomic } from './atomic-write.js';
import { takeLockWithin, type ProcessIdentity } from './lock.js';
import { compareIds, SAFE_ID_RE } from './ids.js';

/** One indexed checkpoint file. */
export interface IndexEntry {
  readonly id: string;
  /** ISO creation time (from the body, else from the id, else the file mtime). */
  readonly createdAt: string;
  readonly sessions: readonly string[];
  readonly panes: number;
  /** File size in bytes. */
  readonly bytes: number;
  /** File mtime, used with `bytes` to notice a file changed under the index. */
  readonly mtimeMs: number;
  /** Passed every read check (schema, checksum, blobs present). */
  readonly valid: boolean;
  /** Passed the meaningful-save guard (see meaningful.ts). */
  readonly meaningful: boolean;
  /** Blob hashes the checkpoint references (known whenever the JSON parses). */
  readonly blobs: readonly string[];
  /** Why it is not valid, or null. */
  readonly error: string | null;
}

/**
 * Index format version; any other value means "rebuild". 2: blob hashes are
 * stored once in a table and entries list table positions — most panes keep
 * their contents from one save to the next, so 50 checkpoints of 400 panes
 * no longer repeat 20,000 hashes (1.3 MB parsed and written per save).
 */
export const INDEX_VERSION = 2 as const;

/** Lock tunables: index updates are serialised across processes, but never block a save for long. */
export const INDEX_LOCK = { waitMs: 2_000, staleMs: 10_000, retryMinMs: 3, retryMaxMs: 15 } as const;

/** An index entry as stored: blobs as positions in the document's blob table. */
type StoredEntry = Omit<IndexEntry, 'blobs'> & { readonly blobs: readonly number[] };
/** The index file's document. */
type StoredDoc = { version: typeof INDEX_VERSION; blobs: string[]; entries: StoredEntry[] };
type IndexDoc = { version: typeof INDEX_VERSION; entries: IndexEntry[] };

const BLOB_HASH_RE = /^[0-9a-f]{64}$/;

/** Shape check of a parsed index file (hand-written: listing and saving need no schema library). */
function isStoredDoc(value: unknown): value is StoredDoc {
  if (typeof value !== 'object' || value === null) return false;
  const doc = value as { version?: unknown; blobs?: unknown; entries?: unknown };
  if (doc.version !== INDEX_VERSION || !Array.isArray(doc.entries) || !Array.isArray(doc.blobs)) return false;
  const table = doc.blobs;
  if (!table.every((b) => typeof b === 'string' && BLOB_HASH_RE.test(b))) return false;
  const nonNegative = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n >= 0;
  const position = (n: unknown) => Number.isInteger(n) && (n as number) >= 0 && (n as number) < table.length;
  return doc.entries.every((e: unknown) => {
    if (typeof e !== 'object' || e === null) return false;
    const x = e as Record<string, unknown>;
    return (
      typeof x.id === 'string' &&
      SAFE_ID_RE.test(x.id) &&
      typeof x.createdAt === 'string' &&
      Array.isArray(x.sessions) &&
      x.sessions.every((s) => typeof s === 'string') &&
      Number.isInteger(x.panes) &&
      nonNegative(x.panes) &&
      Number.isInteger(x.bytes) &&
      nonNegative(x.bytes) &&
      nonNegative(x.mtimeMs) &&
      typeof x.valid === 'boolean' &&
      typeof x.meaningful === 'boolean' &&
      Array.isArray(x.blobs) &&
      x.blobs.every(position) &&
      (x.error === null || typeof x.error === 'string')
    );
  });
}

/** Entries with blob hashes → the stored document (each hash once). */
export function toStoredDoc(entries: readonly IndexEntry[]): StoredDoc {
  const table: string[] = [];
  const positions = new Map<string, number>();
  const at = (sha: string): number => {
    let i = positions.get(sha);
    if (i === undefined) {
      i = table.push(sha) - 1;
      positions.set(sha, i);
    }
    return i;
  };
  return { version: INDEX_VERSION, blobs: table, entries: entries.map((e) => ({ ...e, blobs: e.blobs.map(at) })) };
}

/** The stored document → entries with blob hashes. */
export function fromStoredDoc(doc: StoredDoc): IndexEntry[] {
  return doc.entries.map((e) => ({ ...e, blobs: e.blobs.map((i) => doc.blobs[i]!) }));
}

/** A checkpoint file found on disk. */
export interface ScannedFile {
  readonly id: string;
  readonly path: string;
  readonly bytes: number;
  readonly mtimeMs: number;
}

/** Ids of the checkpoint files in a directory (temp files and strangers ignored), oldest first. */
export async function scanCheckpointIds(checkpointsDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(checkpointsDir);
  } catch (error) {
    // No dir: no checkpoints yet. A file where a parent dir should be
    // (ENOTDIR) is a state dir that cannot work: said, never "no checkpoints".
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const ids: string[] = [];
  for (const name of names) {
    if (!name.endsWith('.json') || isTempName(name)) continue;
    const id = name.slice(0, -'.json'.length);
    if (SAFE_ID_RE.test(id)) ids.push(id);
  }
  return ids.sort(compareIds);
}

/** stat one checkpoint file; null when it is gone or not a regular file. */
export async function statCheckpoint(checkpointsDir: string, id: string): Promise<ScannedFile | null> {
  const path = join(checkpointsDir, `${id}.json`);
  try {
    const st = await stat(path);
    return st.isFile() ? { id, path, bytes: st.size, mtimeMs: st.mtimeMs } : null;
  } catch {
    // Removed between readdir and stat (a concurrent prune): not there.
    return null;
  }
}

/** The checkpoint files of a directory with sizes and mtimes, oldest first. */
export async function scanCheckpointFiles(checkpointsDir: string): Promise<ScannedFile[]> {
  const files = await Promise.all((await scanCheckpointIds(checkpointsDir)).map((id) => statCheckpoint(checkpointsDir, id)));
  return files.filter((f): f is ScannedFile => f !== null);
}

/** lowdb adapter: reads leniently (anything doubtful reads as "no index"), writes atomically. */
class IndexFileAdapter implements Adapter<IndexDoc> {
  constructor(
    private readonly file: string,
    private readonly hintDir: string,
  ) {}
  async read(): Promise<IndexDoc | null> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.file, 'utf8'));
      return isStoredDoc(parsed) ? { version: INDEX_VERSION, entries: fromStoredDoc(parsed) } : null;
    } catch {
      return null;
    }
  }
  async write(data: IndexDoc): Promise<void> {
    // A cache: atomic (never half-written) but not fsynced — rebuilt when in doubt.
    await writeFileAtomic(this.file, `${JSON.stringify(toStoredDoc(data.entries))}\n`, { hintDir: this.hintDir, durable: false });
  }
}

/** Options for createIndexCache. */
export interface IndexCacheOptions {
  /** The index file. */
  readonly file: string;
  /** The lock file serialising index updates. */
  readonly lockFile: string;
  /** The directory holding `<id>.json` checkpoint files. */
  readonly checkpointsDir: string;
  /** Read and check one checkpoint file into an entry. */
  readonly inspect: (file: ScannedFile) => Promise<IndexEntry>;
  /** Directory named in error messages. */
  readonly hintDir: string;
  /** Tells the index lock's holder from a process that reused its pid. */
  readonly identity: ProcessIdentity;
}

/** The index operations the store uses. */
export interface IndexCache {
  /** Entries for every checkpoint file, oldest first; from the index when fresh, else rebuilt. */
  list(): Promise<IndexEntry[]>;
  /** Reconcile the index with the files and save it (best effort; `known` saves re-reading). */
  refresh(known?: readonly IndexEntry[]): Promise<IndexEntry[]>;
}

const sameFile = (e: IndexEntry | undefined, f: ScannedFile) =>
  e !== undefined && e.bytes === f.bytes && e.mtimeMs === f.mtimeMs;

/** An index cache over one store. */
export function createIndexCache(options: IndexCacheOptions): IndexCache {
  const db = new Low<IndexDoc>(new IndexFileAdapter(options.file, options.hintDir), {
    version: INDEX_VERSION,
    entries: [],
  });

  const load = async (): Promise<Map<string, IndexEntry>> => {
    db.data = { version: INDEX_VERSION, entries: [] };
    await db.read();
    return new Map(db.data.entries.map((e) => [e.id, e]));
  };

  const refresh = async (known: readonly IndexEntry[] = []): Promise<IndexEntry[]> => {
    const release = await acquireIndexLock(options.lockFile, options.identity);
    try {
      const cached = await load();
      for (const e of known) cached.set(e.id, e);
      // Files are immutable once renamed into place, so an id already in the
      // index needs no stat here; list() checks sizes and mtimes.
      const entries: IndexEntry[] = [];
      for (const id of await scanCheckpointIds(options.checkpointsDir)) {
        const hit = cached.get(id);
        if (hit) {
          entries.push(hit);
          continue;
        }
        const f = await statCheckpoint(options.checkpointsDir, id);
        if (f) entries.push(await options.inspect(f));
      }
      // Without the lock another writer may be mid-update; the index is only
      // advisory, so skip the save rather than wait or race.
      if (release) {
        db.data = { version: INDEX_VERSION, entries };
        await db.write().catch(() => {});
      }
      return entries;
    } finally {
      await release?.();
    }
  };

  // Drop entries whose file changed under them, then refresh.
  const rebuild = async (files: ScannedFile[], cached: Map<string, IndexEntry>): Promise<IndexEntry[]> => {
    const good: IndexEntry[] = [];
    for (const f of files) {
      const hit = cached.get(f.id);
      good.push(sameFile(hit, f) && hit ? hit : await options.inspect(f));
    }
    return refresh(good);
  };

  return {
    refresh,
    async list() {
      const [cached, files] = await Promise.all([load(), scanCheckpointFiles(options.checkpointsDir)]);
      const fresh = files.length === cached.size && files.every((f) => sameFile(cached.get(f.id), f));
      if (fresh) return files.map((f) => cached.get(f.id) as IndexEntry);
      return rebuild(files, cached);
    },
  };
}

/**
 * Take the index lock (lock.ts, with its age limit). Returns a release
 * function, or null when the lock could not be had in time. A lock whose
 * holder is gone or which is older than INDEX_LOCK.staleMs is broken.
 */
async function acquireIndexLock(lockFile: string, identity: ProcessIdentity): Promise<(() => Promise<void>) | null> {
  try {
    const { waitMs, staleMs, retryMinMs, retryMaxMs } = INDEX_LOCK;
    const outcome = await takeLockWithin(lockFile, identity, { waitMs, staleAfterMs: staleMs, retryMinMs, retryMaxMs });
    return outcome.kind === 'taken' ? outcome.release : null;
  } catch {
    // Cannot even write the lock (read-only or full dir): the save decides what that means.
    return null;
  }
}
