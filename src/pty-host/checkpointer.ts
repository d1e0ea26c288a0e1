/**
 * Checkpoints of the host's PTY sessions, in the store's own server entry
 * (checkpoints/paths.ts ptyStoreDir): each session's record, its screen as a
 * content-addressed blob, and an output log that continues it. A checkpoint
 * and its log switch generation at one instant (no byte is in neither, none
 * in both); once the checkpoint is on disk, older logs are deleted.
 */
import { hostname } from 'node:os';
import { compactPtyLogs, PtyOutputLog, readPtyLog } from '../../checkpoints/pty-log.js';
import { PTY_SERVER_PATH } from '../../checkpoints/paths.js';
import type { CheckpointStore } from '../../checkpoints/store.js';
import type { PtySessionRecord } from '../../checkpoints/schema.js';
import { TSESSION_VERSION } from '../version.js';
import type { PtyHost, SavedSession } from './host.js';

/** Tunables of PTY checkpoints. */
export const PTY_CHECKPOINT_TIMING = {
  /** A session with new output is checkpointed at most this often. */
  intervalMs: 5_000,
  /** How many PTY checkpoints are kept. */
  keepLast: 10,
} as const;

/** Writes and reads the host's checkpoints. */
export class PtyCheckpointer {
  private readonly logs = new Map<string, PtyOutputLog>();
  /** Each session's last serialized screen and the offset it holds. */
  private readonly screens = new Map<string, { offset: number; screen: string }>();
  private writing: Promise<void> | null = null;

  constructor(
    private readonly store: CheckpointStore,
    private readonly logDir: string,
  ) {}

  /** The sessions of the newest good PTY checkpoint, with screens and logged output since. */
  async load(): Promise<{ sessions: SavedSession[]; warnings: readonly string[] }> {
    const newest = await this.store.newestGood((b) => (b.ptySessions?.length ?? 0) > 0);
    if (!newest.ok) return { sessions: [], warnings: [newest.error.message] };
    const body = newest.value.checkpoint?.body;
    const warnings = [...newest.value.warnings];
    const sessions: SavedSession[] = [];
    for (const record of body?.ptySessions ?? []) {
      let screen: string | null = null;
      if (record.screen) {
        const blob = await this.store.getBlob(record.screen.blob);
        if (blob.ok) screen = blob.value.normal;
        else warnings.push(`screen of PTY session ${JSON.stringify(record.name)} lost: ${blob.error.message}`);
      }
      sessions.push({ record, screen, log: this.readLogs(record.incarnation, record.logGeneration) });
    }
    return { sessions, warnings };
  }

  /** Make the log directory; before the first append. */
  prepare(): Promise<void> {
    return PtyOutputLog.prepare(this.logDir);
  }

  /** Append a session's output to its log at `generation` (opened on first use). */
  append(id: string, data: Uint8Array, generation: number): void {
    let log = this.logs.get(id);
    if (!log || log.generation !== generation) {
      log?.close();
      try {
        log = PtyOutputLog.open(this.logDir, id, generation);
      } catch {
        // A full or read-only disk: the screen still has the bytes, the next checkpoint keeps them.
        this.logFailures++;
        return;
      }
      this.logs.set(id, log);
    }
    log.append(data);
  }

  /** Appends that found no log to write to (the disk refused). */
  logFailures = 0;

  /** Force logged bytes to disk (about once a second). */
  syncLogs(): void {
    for (const log of this.logs.values()) log.sync();
  }

  /** Write one checkpoint of every session (one at a time; a call during a write waits for it). */
  async write(host: PtyHost): Promise<void> {
    while (this.writing) await this.writing;
    this.writing = this.writeNow(host).finally(() => (this.writing = null));
    return this.writing;
  }

  close(): void {
    for (const log of this.logs.values()) log.close();
    this.logs.clear();
  }

  private async writeNow(host: PtyHost): Promise<void> {
    const sessions = host.sessions();
    // The instant of the snapshot: each log moves to the next generation as the mirror is asked to settle,
    // so bytes before it are on the screen and bytes after it in the new log.
    const taken = sessions.map((s) => {
      const meta = host.meta.get(s.spec.id) ?? { generation: 0, revives: [] };
      const generation = meta.generation + 1;
      meta.generation = generation;
      host.meta.set(s.spec.id, meta);
      this.logs.get(s.spec.id)?.close();
      this.logs.delete(s.spec.id);
      this.append(s.spec.id, new Uint8Array(0), generation);
      const offset = s.offset;
      // A screen nothing has changed since the last checkpoint is not serialized again.
      const cached = this.screens.get(s.spec.id);
      const unchanged = !s.dirty && cached?.offset === offset;
      s.dirty = false;
      // Serialized inside the write callback: exactly the bytes up to `offset`, none after.
      const screen = unchanged ? Promise.resolve(cached.screen) : s.mirror.at(() => s.mirror.serialize());
      void screen.then((text) => this.screens.set(s.spec.id, { offset, screen: text }));
      return { s, generation, offset, screen, revives: meta.revives };
    });
    const records: PtySessionRecord[] = [];
    const screens: string[] = [];
    for (const t of taken) screens.push(await t.screen);
    const put = await this.store.putBlobs(screens.map((normal) => ({ v: 1 as const, normal, alternate: null })));
    if (!put.ok) throw new Error(put.error.message);
    taken.forEach((t, i) => {
      const s = t.s;
      const facts = s.mirror.facts();
      records.push({
        name: s.spec.name,
        incarnation: s.spec.id,
        argv: [...s.spec.argv],
        isShell: s.spec.isShell,
        cwd: host.cwdOf(s),
        cols: s.cols,
        rows: s.rows,
        title: facts.title,
        screen: { blob: put.value[i]!.sha256, lines: s.mirror.lineCount, alternateScreen: facts.alternateScreen },
        lastCommand: host.lastCommandOf(s),
        foreground: host.foregroundOf(s),
        createdAt: s.spec.createdAt,
        process: s.exit ? { state: 'exited', exitCode: s.exit.exitCode, signal: s.exit.signal } : s.pid ? { state: 'running', pid: s.pid } : { state: 'exited', exitCode: -1, signal: null },
        outputOffset: t.offset,
        logGeneration: t.generation,
        revives: t.revives,
      });
    });
    const written = await this.store.write(
      { host: hostname(), tmuxVersion: '', tsessionVersion: TSESSION_VERSION, server: { socketPath: PTY_SERVER_PATH, label: 'PTY sessions' }, sessions: [], ptySessions: records },
      { force: true },
    );
    if (!written.ok) throw new Error(written.error.message);
    compactPtyLogs(this.logDir, new Map(taken.map((t) => [t.s.spec.id, t.generation])));
    for (const id of this.screens.keys()) if (!taken.some((t) => t.s.spec.id === id)) this.screens.delete(id);
    await this.store.prune({ keepLast: PTY_CHECKPOINT_TIMING.keepLast, dailyForDays: 0 });
  }

  /** Every generation of a session's log from `generation` on, in order. */
  private readLogs(id: string, generation: number): Buffer | null {
    const parts: Buffer[] = [];
    for (let g = generation; g < generation + 64; g++) {
      const part = readPtyLog(this.logDir, id, g);
      if (!part) break;
      parts.push(part);
    }
    return parts.length ? Buffer.concat(parts) : null;
  }
}
