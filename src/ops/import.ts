/**
 * Import: a tmux-resurrect save file (and its pane-contents archive) turned
 * into a tsession checkpoint of the current server's store, so `tsession
 * restore` brings those sessions back. The file is untrusted input: it is
 * read, never run; its commands are recorded as unproven text (a restore
 * types them without Enter). Non-goals: parsing (checkpoints/resurrect-*),
 * printing.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { resurrectDirs } from '../../checkpoints/paths.js';
import { readGlobalOption } from '../../sessions/tmux/queries.js';
import { readPaneContentsTar, sanitizePaneText } from '../../checkpoints/resurrect-contents.js';
import { parseResurrectSave } from '../../checkpoints/resurrect-format.js';
import type { ContentsBlob, ContentsRef, SessionRecord } from '../../checkpoints/schema.js';
import { errorMessage } from '../../checkpoints/result.js';
import type { Context } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { UserError } from '../user-error.js';
import { TSESSION_VERSION } from '../version.js';
import { checkpointFailure } from './checkpoints.js';
import { configFor } from './config.js';
import { lineCount } from './save.js';

/** Bounds on what an import reads. */
export const IMPORT_LIMITS = {
  /** Bytes of a save file. */
  maxSaveFile: 16 * 1024 * 1024,
  /** Bytes of the gzipped contents archive, and of it unpacked. */
  maxArchive: 64 * 1024 * 1024,
  maxArchiveUnpacked: 256 * 1024 * 1024,
} as const;

/** resurrect's name for the newest save (a symlink) and for the contents of that save. */
const LAST = 'last';
const ARCHIVE = 'pane_contents.tar.gz';

/** What an import wrote. */
export interface ImportResult {
  readonly id: string;
  readonly path: string;
  /** The save file read (after following `last`). */
  readonly file: string;
  /** The contents archive read, or null. */
  readonly archive: string | null;
  readonly sessions: readonly string[];
  readonly panes: number;
  /** Panes that got contents from the archive. */
  readonly contents: number;
  /** What was skipped or changed, one line each. */
  readonly notes: readonly string[];
}

const exists = (p: string) =>
  stat(p).then(
    (s) => s.isFile(),
    () => false,
  );

/** The save file to read: the one named, else resurrect's `last` in its usual directories. */
async function findSaveFile(ctx: Context, file: string | undefined): Promise<string> {
  // A link to a save is followed, so the archive is looked for beside the save itself.
  if (file !== undefined) return realpath(resolve(file)).catch(() => resolve(file));
  // resurrect's own setting, when the server runs with the person's tmux.conf.
  const option = await readGlobalOption(ctx.server, '@resurrect-dir', { env: ctx.env, timeoutMs: 2000 }).catch(() => '');
  const candidates = resurrectDirs(ctx.env, ctx.paths.home, option, hostname()).map((d) => join(d, LAST));
  for (const c of candidates) if (await exists(c)) return realpath(c);
  throw new UserError(
    `No tmux-resurrect save found (looked for ${candidates.join(' and ')}); name the save file: tsession import resurrect FILE`,
    EXIT.usage,
  );
}

async function readBounded(file: string, max: number, what: string): Promise<Buffer> {
  let size: number;
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new UserError(`Expected ${what} ${file} to be a file`, EXIT.usage);
    size = s.size;
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`Cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? errorMessage(e)}`, EXIT.usage);
  }
  if (size > max) throw new UserError(`Expected ${what} ${file} to be at most ${max} bytes, got ${size}`, EXIT.usage);
  try {
    return await readFile(file);
  } catch (e) {
    throw new UserError(`Cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? errorMessage(e)}`, EXIT.usage);
  }
}

/** The time a resurrect save was made, from its name (`tmux_resurrect_20240102T030405.txt`, local time), else its mtime. */
async function saveTime(file: string): Promise<number> {
  const m = /(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})/.exec(basename(file));
  if (m) {
    const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
    const t = new Date(y, mo - 1, d, h, mi, s).getTime();
    if (Number.isFinite(t)) return Math.floor(t / 1000);
  }
  return Math.floor((await stat(file)).mtimeMs / 1000);
}

/**
 * The archive holds the contents of resurrect's newest save only: it is
 * used for the file `last` points to (or when there is no `last`), never
 * paired with an older save.
 */
async function archiveFor(file: string, notes: string[]): Promise<string | null> {
  const dir = dirname(file);
  const archive = join(dir, ARCHIVE);
  if (!(await exists(archive))) return null;
  const last = join(dir, LAST);
  const [real, lastReal] = await Promise.all([realpath(file).catch(() => file), realpath(last).catch(() => null)]);
  if (lastReal !== null && lastReal !== real) {
    notes.push(`pane contents: ${archive} belongs to the newest save (${basename(lastReal)}), not this one; panes imported without contents`);
    return null;
  }
  return archive;
}

async function readArchiveTexts(archive: string, notes: string[]): Promise<Map<string, string>> {
  const gz = await readBounded(archive, IMPORT_LIMITS.maxArchive, 'the pane contents archive');
  let tar: Buffer;
  try {
    tar = await promisify(gunzip)(gz, { maxOutputLength: IMPORT_LIMITS.maxArchiveUnpacked });
  } catch (e) {
    notes.push(`pane contents: ${archive} is not a readable gzip archive (${errorMessage(e)}); panes imported without contents`);
    return new Map();
  }
  const read = readPaneContentsTar(tar);
  notes.push(...read.notes);
  return read.texts;
}

/** The shell recorded for panes whose shell the save cannot name: the user's $SHELL, else bash. */
function defaultShell(env: NodeJS.ProcessEnv): string {
  const name = basename(env.SHELL ?? '');
  return /^[A-Za-z0-9._+-]+$/.test(name) ? name : 'bash';
}

/**
 * Read a resurrect save (default: its `last`) and write it as a checkpoint
 * of this server. Throws UserError: no save found or unreadable (exit 2),
 * nothing usable in it (exit 2), the store refusing the write.
 */
export async function importResurrect(ctx: Context, options: { readonly file?: string } = {}): Promise<ImportResult> {
  const file = await findSaveFile(ctx, options.file);
  const text = (await readBounded(file, IMPORT_LIMITS.maxSaveFile, 'the tmux-resurrect save')).toString('utf8');
  const parsed = parseResurrectSave(text, { defaultShell: defaultShell(ctx.env), createdAt: await saveTime(file) });
  const notes = [...parsed.notes];
  if (parsed.sessions.length === 0) {
    const why = notes[0] ? ` (${notes[0]})` : '';
    throw new UserError(`Expected ${file} to be a tmux-resurrect save with pane lines, found none${why}`, EXIT.usage);
  }
  const { config, warning } = await configFor(ctx, ['contents']);
  if (warning) ctx.warn(warning);
  const store = await ctx.store();

  const archive = config.contents.lines > 0 ? await archiveFor(file, notes) : null;
  const texts = archive ? await readArchiveTexts(archive, notes) : new Map<string, string>();
  const blobs: [string, ContentsBlob][] = [];
  for (const [key, paneId] of parsed.paneKeys) {
    const raw = texts.get(key);
    if (raw === undefined) continue;
    const normal = sanitizePaneText(raw, config.contents.lines);
    if (normal) blobs.push([paneId, { v: 1, normal, alternate: null }]);
  }
  const put = await store.putBlobs(blobs.map(([, b]) => b));
  if (!put.ok) throw checkpointFailure(put.error);
  const refs = new Map<string, ContentsRef>();
  blobs.forEach(([paneId, blob], i) => {
    refs.set(paneId, { blob: put.value[i]!.sha256, lines: lineCount(blob.normal), alternateScreen: false });
  });
  const sessions: SessionRecord[] = parsed.sessions.map((s) => ({
    ...s,
    windows: s.windows.map((w) => ({ ...w, panes: w.panes.map((p) => ({ ...p, contents: refs.get(p.id) ?? null })) })),
  }));

  // Asked for by name: written even when it holds only a default-looking session.
  const outcome = await store.write(
    {
      host: hostname(),
      tmuxVersion: 'unknown (imported from tmux-resurrect)',
      tsessionVersion: TSESSION_VERSION,
      server: { socketPath: ctx.server.socketPath, label: ctx.server.label },
      sessions,
    },
    { force: true },
  );
  if (!outcome.ok) throw checkpointFailure(outcome.error);
  if (outcome.value.kind !== 'written') throw new UserError(`Nothing imported: ${outcome.value.reason}`, EXIT.failed);
  for (const w of outcome.value.warnings) ctx.warn(w);
  return {
    id: outcome.value.id,
    path: outcome.value.path,
    file,
    archive,
    sessions: [...new Set(sessions.map((s) => s.name))],
    panes: parsed.paneKeys.size,
    contents: refs.size,
    notes,
  };
}
