/**
 * The checkpoint store of one tmux server: write (seal + atomic write +
 * index), read with every check, list, newest good, remove, prune. Errors
 * are values. Non-goals: capturing or restoring sessions, choosing the dir
 * (paths.ts), printing.
 *
 * Layout of `dir`: checkpoints/<id>.json, blobs/<sha256>.msgpack, index.json.
 */
import { readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isTempName, tempOwnerPid, writeFileAtomic, type AtomicWriteStep } from './atomic-write.js';
import { BLOB_SUFFIX, createBlobStore, type PutBlobResult } from './blobs.js';
import { sealCheckpointText, verifySeal } from './canonical.js';
import { idTimeMs, newCheckpointId, SAFE_ID_RE } from './ids.js';
import type { ProcessIdentity } from './lock.js';
import { createIndexCache, scanCheckpointIds, type IndexEntry, type ScannedFile } from './index-cache.js';
import { assessMeaningful } from './meaningful.js';
import { defaultHome, ensurePrivateDir, LAYOUT, StateDirError } from './paths.js';
import { err, ok, type CheckpointError, type Result } from './result.js';
import { executeRetention, planRetention, type RetentionPolicy, type RetentionResult } from './retention.js';
// `import type`: an import of only inline `type` names is still emitted
// under verbatimModuleSyntax, and would load zod on the save path.
import type { CheckpointBody, CheckpointFile, ContentsBlob } from './schema.js';
import { CHECKPOINT_FORMAT, CHECKPOINT_MIN_VERSION, CHECKPOINT_VERSION } from './format.js';

// The schema library costs ~25 ms to load; only reading needs it.
const loadSchema = () => import('./schema.js');

/** A body as the caller builds it: the store assigns `id` (and `createdAt` unless given). */
export type CheckpointDraft = Omit<CheckpointBody, 'id' | 'createdAt'> & { readonly createdAt?: string };

/** Outcome of a write that did not fail. */
export type WriteOutcome =
  | {
      readonly kind: 'written';
      readonly id: string;
      readonly path: string;
      readonly bytes: number;
      readonly warnings: readonly string[];
      /** Checkpoint files in the store after this write, or null when the index could not say. */
      readonly stored: number | null;
    }
  | { readonly kind: 'skipped'; readonly reason: string };

/** A checkpoint that passed every read check. */
export interface StoredCheckpoint {
  readonly id: string;
  readonly path: string;
  readonly bytes: number;
  readonly file: CheckpointFile;
  readonly body: CheckpointBody;
}

/** A listed checkpoint (from the index). */
export type CheckpointEntry = IndexEntry & { readonly path: string };

/** newestGood's answer: the checkpoint (or null if none is good) and a warning per newer unusable one. */
export interface NewestGood {
  readonly checkpoint: StoredCheckpoint | null;
  readonly warnings: readonly string[];
}

/** Options for createCheckpointStore. */
export interface CheckpointStoreOptions {
  /** The per-server store dir (paths.serverDir). Created 0700 on first write. */
  readonly dir: string;
  /** Directory named in error messages (the state dir); default `dir`. */
  readonly stateDir?: string;
  /** Home dir for the meaningful-save guard; default os.homedir(). */
  readonly homeDir?: string;
  /** Crash tests: called after each step of the checkpoint file's atomic write. */
  readonly afterWriteStep?: (step: AtomicWriteStep) => void;
  /** Tells a lock holder from a process that reused its pid (sessions/proc/liveness.ts). */
  readonly identity: ProcessIdentity;
}

/** Store tunables. */
export const STORE_TUNING = {
  /** A temp file whose writer is still alive is left alone unless older than this. */
  tempMaxAgeMs: 60 * 60_000,
} as const;

/** The store API. */
export interface CheckpointStore {
  readonly dir: string;
  /**
   * Create the store's directories now (a save calls this while tmux is
   * still answering, so the write finds them ready). Failures are reported
   * again by the write itself.
   */
  prepare(): Promise<void>;
  /** Seal and atomically write a body; refuses a non-meaningful one unless forced. */
  write(draft: CheckpointDraft, options?: { readonly force?: boolean }): Promise<Result<WriteOutcome>>;
  /** Store pane contents as a blob (before writing the checkpoint that references it). */
  putBlob(blob: ContentsBlob): Promise<Result<PutBlobResult>>;
  /** Store many blobs at once (results in order), with one directory fsync. */
  putBlobs(blobs: readonly ContentsBlob[]): Promise<Result<PutBlobResult[]>>;
  /** Read a blob, verifying its hash. */
  getBlob(sha256: string): Promise<Result<ContentsBlob>>;
  /** Read one checkpoint: version first, then schema, checksum, id and blobs. */
  read(id: string): Promise<Result<StoredCheckpoint>>;
  /**
   * read, and also read every blob it references and check its hash: what
   * `checkpoints --verify` promises (read alone only sees that a blob file
   * exists, which a damaged one still does).
   */
  verify(id: string): Promise<Result<StoredCheckpoint>>;
  /** Every checkpoint file, newest first, from the index when fresh, else rebuilt. */
  list(): Promise<Result<CheckpointEntry[]>>;
  /** The newest checkpoint that reads cleanly (and passes `filter`), with a warning per newer bad one. */
  newestGood(
    filter?: (body: CheckpointBody) => boolean,
    options?: { readonly includeNotMeaningful?: boolean },
  ): Promise<Result<NewestGood>>;
  /** Delete one checkpoint file (its blobs go at the next prune). */
  remove(id: string): Promise<Result<void>>;
  /** Apply a retention policy; also sweeps temp files left by crashed writers. */
  prune(policy: RetentionPolicy, options?: { readonly nowMs?: number; readonly utcOffsetMs?: number }): Promise<Result<RetentionResult>>;
}

/** Open (lazily create) the checkpoint store in `options.dir`. */
export function createCheckpointStore(options: CheckpointStoreOptions): CheckpointStore {
  const { dir } = options;
  const hintDir = options.stateDir ?? dir;
  const home = options.homeDir ?? defaultHome();
  const checkpointsDir = join(dir, LAYOUT.checkpoints);
  const blobsDir = join(dir, LAYOUT.blobs);
  const blobs = createBlobStore({ dir: blobsDir, hintDir });
  const pathOf = (id: string) => join(checkpointsDir, `${id}.json`);

  const ioError = (error: unknown, file: string): CheckpointError => {
    const e = error as Error & { code?: string };
    const code = e.code ?? 'UNKNOWN';
    // A raw ENOTDIR (a read, not the state dir's own checks, which word it already) is a
    // misplaced file: say which fix works, not the syscall.
    const message = code === 'ENOTDIR' && !(error instanceof StateDirError) ? `Cannot read ${file}: part of the state dir's path is a file, not a directory (ENOTDIR): move that file or pass --state-dir` : e.message;
    return { kind: 'io', file, reason: code, message, code };
  };

  // The listing a write's index refresh just made: a prune right after the
  // write (what a save does) plans from it instead of listing again. A
  // checkpoint another process writes in between is only missing from the
  // plan: it is not deleted, and its blobs are young, which retention spares.
  let justListed: IndexEntry[] | null = null;

  // Created on first write (or prepare); permission warnings are reported once per store.
  let dirsReady: Promise<string[]> | undefined;
  let warningsGiven = false;
  const startDirs = (): Promise<string[]> =>
    (dirsReady ??= (async () => {
      const warnings: string[] = [];
      if (options.stateDir) warnings.push(...(await ensurePrivateDir(options.stateDir, hintDir)));
      for (const d of [dir, checkpointsDir, blobsDir]) warnings.push(...(await ensurePrivateDir(d, hintDir)));
      return warnings;
    })());
  const ensureDirs = async (): Promise<string[]> => {
    try {
      const warnings = await startDirs();
      if (warningsGiven) return [];
      warningsGiven = true;
      return warnings;
    } catch (error) {
      // Not cached: the user may fix the dir and retry in the same process.
      dirsReady = undefined;
      throw error;
    }
  };

  const putBlobs = async (list: readonly ContentsBlob[]): Promise<Result<PutBlobResult[]>> => {
    try {
      await ensureDirs();
    } catch (error) {
      return err(ioError(error, blobsDir));
    }
    return blobs.putMany(list);
  };

  const read = async (id: string): Promise<Result<StoredCheckpoint>> => {
    if (!SAFE_ID_RE.test(id)) {
      const reason = `expected a checkpoint id of letters, digits, ".", "_" or "-", got ${JSON.stringify(id)}`;
      return err({ kind: 'bad-id', file: checkpointsDir, reason, message: `Expected a checkpoint id, got ${JSON.stringify(id)}` });
    }
    const file = pathOf(id);
    const corrupt = (reason: string): Result<never> =>
      err({ kind: 'corrupt', file, reason, message: `Checkpoint ${file} is corrupt (${reason})` });
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return err({ kind: 'not-found', file, reason: 'no such file', message: `Checkpoint ${id} not found in ${checkpointsDir}` });
      }
      return err(ioError(error, file));
    }
    if (text.trim() === '') return corrupt('empty file');
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      const why = (error as Error).message;
      // A file cut short is the usual crash/disk-full damage: say so.
      return corrupt(text.trimEnd().endsWith('}') ? `invalid JSON: ${why}` : `truncated: ${why}`);
    }
    // Version before anything else: a newer build's file must be refused as
    // "newer", not misreported as "corrupt" by today's schema.
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return corrupt('expected a JSON object');
    const envelope = raw as Record<string, unknown>;
    if (envelope.format !== CHECKPOINT_FORMAT) {
      return corrupt(`expected format "${CHECKPOINT_FORMAT}", got ${JSON.stringify(envelope.format) ?? 'none'}`);
    }
    if (typeof envelope.version === 'number' && envelope.version > CHECKPOINT_VERSION) {
      const reason = `schema version ${envelope.version}`;
      return err({
        kind: 'future-version',
        file,
        reason,
        message: `Checkpoint ${file} has schema version ${envelope.version}; this tsession reads up to ${CHECKPOINT_VERSION} — upgrade tsession`,
      });
    }
    if (typeof envelope.version !== 'number' || envelope.version < CHECKPOINT_MIN_VERSION) {
      return corrupt(`expected schema version ${CHECKPOINT_MIN_VERSION} to ${CHECKPOINT_VERSION}, got ${JSON.stringify(envelope.version) ?? 'none'}`);
    }
    const { checkpointFileSchema } = await loadSchema();
    const parsed = checkpointFileSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? issue.path.join('.') : '(root)';
      return corrupt(`schema: ${where}: ${issue?.message ?? 'invalid'}`);
    }
    // Checksum over the raw body, so even keys the schema would strip count.
    const seal = verifySeal({ sha256: envelope.sha256, body: envelope.body });
    if (!seal.ok) return corrupt(seal.reason);
    const data = parsed.data;
    if (data.body.id !== id) return corrupt(`file name says id ${id}, body says ${data.body.id}`);
    for (const { pane, session } of panesOf(data.body)) {
      const sha = pane.contents?.blob;
      if (sha && !(await blobs.has(sha))) {
        return corrupt(`missing blob ${sha.slice(0, 12)}… for pane ${pane.id} of session ${JSON.stringify(session)}`);
      }
    }
    return ok({ id, path: file, bytes: Buffer.byteLength(text), file: data, body: data.body });
  };

  // One index entry from a file on disk, valid or not.
  const inspect = async (f: ScannedFile): Promise<IndexEntry> => {
    const r = await read(f.id);
    const base = { id: f.id, bytes: f.bytes, mtimeMs: f.mtimeMs };
    if (r.ok) return entryOf(r.value.body, { ...base, valid: true, error: null }, home);
    // Best effort for a bad file: what it claims, for listing and blob refs.
    const body = await readRawBody(f.path);
    const fallbackTime = new Date(idTimeMs(f.id) ?? f.mtimeMs).toISOString();
    if (body) return entryOf(body, { ...base, valid: false, error: r.error.reason }, home, fallbackTime);
    return { ...base, createdAt: fallbackTime, sessions: [], panes: 0, valid: false, meaningful: false, blobs: [], error: r.error.reason };
  };

  const index = createIndexCache({
    file: join(dir, LAYOUT.index),
    lockFile: join(dir, LAYOUT.indexLock),
    checkpointsDir,
    inspect,
    hintDir,
    identity: options.identity,
  });

  const list = async (): Promise<Result<CheckpointEntry[]>> => {
    try {
      const entries = await index.list();
      return ok(entries.map((e) => ({ ...e, path: pathOf(e.id) })).reverse());
    } catch (error) {
      return err(ioError(error, checkpointsDir));
    }
  };

  const verify = async (id: string): Promise<Result<StoredCheckpoint>> => {
    const r = await read(id);
    if (!r.ok) return r;
    const checked = new Set<string>();
    for (const { pane, session } of panesOf(r.value.body)) {
      const sha = pane.contents?.blob;
      if (!sha || checked.has(sha)) continue;
      checked.add(sha);
      const b = await blobs.get(sha);
      if (b.ok) continue;
      // A blob that is there but damaged is corruption; one the file system refuses is io.
      const kind = b.error.kind === 'io' ? 'io' : 'corrupt';
      const reason = `${b.error.kind === 'not-found' ? 'missing' : kind === 'io' ? 'unreadable' : 'corrupt'} blob ${sha.slice(0, 12)}… for pane ${pane.id} of session ${JSON.stringify(session)} (${b.error.reason})`;
      return err({ kind, file: r.value.path, reason, message: `Checkpoint ${r.value.path} is ${kind === 'io' ? 'unreadable' : 'corrupt'}: ${reason}` });
    }
    return r;
  };

  return {
    dir,
    read,
    verify,
    list,
    prepare: () =>
      startDirs().then(
        () => {},
        // The write retries and reports the failure.
        () => void (dirsReady = undefined),
      ),
    putBlob: async (blob) => {
      const r = await putBlobs([blob]);
      return r.ok ? ok(r.value[0]!) : r;
    },
    putBlobs,
    getBlob: (sha) => blobs.get(sha),

    async write(draft, writeOptions = {}) {
      const verdict = assessMeaningful(draft, home);
      if (!verdict.meaningful && !writeOptions.force) return ok({ kind: 'skipped', reason: verdict.reason });
      let warnings: string[];
      try {
        warnings = [...(await ensureDirs())];
      } catch (error) {
        return err(ioError(error, dir));
      }
      const nowMs = Date.now();
      const id = newCheckpointId(nowMs);
      const body = { ...draft, id, createdAt: draft.createdAt ?? new Date(nowMs).toISOString() } as CheckpointBody;
      const file = pathOf(id);
      // The body is built from typed records, so it is not re-validated here
      // (that cost ~40 ms of a 400-pane save); every reader validates, and
      // the tests read back what saves write.
      const sealed = sealCheckpointText(body);
      for (const { pane } of panesOf(body)) {
        const sha = pane.contents?.blob;
        if (sha && !(await blobs.has(sha))) {
          const reason = `pane ${pane.id} references blob ${sha.slice(0, 12)}…, which is not stored`;
          return err({ kind: 'corrupt', file, reason, message: `Expected blobs to be stored before the checkpoint, got ${reason}` });
        }
      }
      let bytes: number;
      try {
        bytes = await writeFileAtomic(file, sealed.text, {
          hintDir,
          ...(options.afterWriteStep ? { afterStep: options.afterWriteStep } : {}),
        });
      } catch (error) {
        return err(ioError(error, file));
      }
      // The index is a cache: failing to update it must not fail the save.
      let stored: number | null = null;
      try {
        const st = await stat(file);
        const known = entryOf(body, { id, bytes: st.size, mtimeMs: st.mtimeMs, valid: true, error: null }, home);
        const entries = await index.refresh([known]);
        stored = entries.length;
        justListed = entries;
      } catch {
        // list() will notice the stale index and rebuild it.
      }
      return ok({ kind: 'written', id, path: file, bytes, warnings, stored });
    },

    async newestGood(filter, nbOptions = {}) {
      let ids: string[];
      try {
        ids = await scanCheckpointIds(checkpointsDir);
      } catch (error) {
        return err(ioError(error, checkpointsDir));
      }
      // Straight from the files, not the index: this is the path a restore
      // after a crash takes, and it must not trust a cache.
      const bad: CheckpointError[] = [];
      for (const id of ids.reverse()) {
        const r = await read(id);
        if (!r.ok) {
          if (r.error.kind !== 'not-found') bad.push(r.error);
          continue;
        }
        if (!nbOptions.includeNotMeaningful && !assessMeaningful(r.value.body, home).meaningful) continue;
        if (filter && !filter(r.value.body)) continue;
        return ok({ checkpoint: r.value, warnings: bad.map((e) => `${e.message}; using ${id}`) });
      }
      return ok({ checkpoint: null, warnings: bad.map((e) => `${e.message}; no older valid checkpoint`) });
    },

    async remove(id) {
      if (!SAFE_ID_RE.test(id)) {
        return err({ kind: 'bad-id', file: checkpointsDir, reason: 'bad id', message: `Expected a checkpoint id, got ${JSON.stringify(id)}` });
      }
      const file = pathOf(id);
      try {
        await unlink(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          return err({ kind: 'not-found', file, reason: 'no such file', message: `Checkpoint ${id} not found in ${checkpointsDir}` });
        }
        return err(ioError(error, file));
      }
      await index.refresh().catch(() => {});
      return ok(undefined);
    },

    async prune(policy, pruneOptions = {}) {
      const nowMs = pruneOptions.nowMs ?? Date.now();
      try {
        await sweepTemps([dir, checkpointsDir, blobsDir], nowMs, options.identity);
        const entries = justListed ?? (await index.list());
        justListed = null;
        const input = {
          checkpoints: entries.map((e) => ({
            id: e.id,
            timeMs: Date.parse(e.createdAt),
            sessions: e.sessions,
            valid: e.valid,
            meaningful: e.meaningful,
            blobs: e.blobs,
          })),
          blobs: [],
          policy,
          nowMs,
          utcOffsetMs: pruneOptions.utcOffsetMs ?? -new Date(nowMs).getTimezoneOffset() * 60_000,
        };
        // Plan twice so only deletion candidates are stat'ed for their age:
        // a store can hold thousands of blobs, and save prunes every time.
        const kept = planRetention(input).keep;
        const referenced = new Set(input.checkpoints.filter((c) => kept.has(c.id)).flatMap((c) => c.blobs));
        const plan = planRetention({ ...input, blobs: await listBlobs(blobsDir, referenced) });
        const result = await executeRetention(plan, {
          checkpointPath: pathOf,
          blobPath: (sha) => join(blobsDir, `${sha}${BLOB_SUFFIX}`),
        });
        await index.refresh().catch(() => {});
        return ok(result);
      } catch (error) {
        return err(ioError(error, dir));
      }
    },
  };
}

function* panesOf(body: CheckpointBody) {
  for (const session of body.sessions) {
    for (const window of session.windows) {
      for (const pane of window.panes) yield { session: session.name, pane };
    }
  }
  // A PTY session's screen is a blob like a pane's contents, checked and kept alike.
  for (const pty of body.ptySessions ?? []) yield { session: pty.name, pane: { id: 'pty', contents: pty.screen } };
}

function entryOf(
  body: CheckpointBody,
  base: Pick<IndexEntry, 'id' | 'bytes' | 'mtimeMs' | 'valid' | 'error'>,
  home: string,
  fallbackTime?: string,
): IndexEntry {
  const createdAt = Number.isNaN(Date.parse(body.createdAt)) && fallbackTime ? fallbackTime : body.createdAt;
  const panes = [...panesOf(body)];
  return {
    ...base,
    createdAt,
    sessions: [...body.sessions.map((s) => s.name), ...(body.ptySessions ?? []).map((s) => s.name)],
    panes: panes.length,
    meaningful: assessMeaningful(body, home).meaningful,
    blobs: [...new Set(panes.flatMap(({ pane }) => (pane.contents ? [pane.contents.blob] : [])))],
  };
}

// The body of a damaged file when its JSON still parses into the right
// shape; good enough to list it and to know which blobs it points at.
async function readRawBody(path: string): Promise<CheckpointBody | null> {
  try {
    const raw = JSON.parse(await readFile(path, 'utf8')) as { body?: unknown };
    const { checkpointFileSchema } = await loadSchema();
    const parsed = checkpointFileSchema.shape.body.safeParse(raw.body);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

// Blob files not in `skip`, with their mtimes.
async function listBlobs(blobsDir: string, skip: ReadonlySet<string>): Promise<{ sha256: string; mtimeMs: number }[]> {
  let names: string[];
  try {
    names = await readdir(blobsDir);
  } catch {
    return [];
  }
  const out: { sha256: string; mtimeMs: number }[] = [];
  for (const name of names) {
    if (!name.endsWith(BLOB_SUFFIX) || isTempName(name)) continue;
    const sha256 = name.slice(0, -BLOB_SUFFIX.length);
    if (skip.has(sha256)) continue;
    try {
      out.push({ sha256, mtimeMs: (await stat(join(blobsDir, name))).mtimeMs });
    } catch {
      // gone already
    }
  }
  return out;
}

// Temp files of writers that died mid-write: the owner pid is in the name.
async function sweepTemps(dirs: readonly string[], nowMs: number, identity: ProcessIdentity): Promise<void> {
  for (const d of dirs) {
    let names: string[];
    try {
      names = await readdir(d);
    } catch {
      continue;
    }
    for (const name of names) {
      const pid = tempOwnerPid(name);
      if (pid === null) continue;
      const path = join(d, name);
      try {
        // Our own pid may be a write in flight in this process: age decides.
        const ownerGone = pid !== process.pid && !identity.isPidRunning(pid);
        if (ownerGone || nowMs - (await stat(path)).mtimeMs > STORE_TUNING.tempMaxAgeMs) await unlink(path);
      } catch {
        // vanished or not ours to delete
      }
    }
  }
}
