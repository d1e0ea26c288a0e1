/**
 * One hosted session as the host sees it: its screen mirror, the clients
 * attached to it, who sets its size, and which queries it answers itself.
 * Output arrives from the keeper with absolute offsets, so bytes the host
 * already has (a re-sent ring) are skipped and a gap is known. A client
 * that cannot keep up loses output for itself only and gets a fresh screen
 * when it catches up; the shell and the other clients never wait.
 */
import { ScreenMirror, stripControl } from '../../sessions/pty/mirror.js';
import { reclaimSoon } from './reclaim.js';
import type { HostToClient, PtySessionInfo } from './client-protocol.js';

/** Where a session's messages to one client go. */
export interface ClientLink {
  /** False when the message was dropped (the client is not reading). */
  send(message: HostToClient): boolean;
}

/** What a session does to its process (the keeper does it). */
export interface SessionActions {
  input(data: Uint8Array | string): void;
  resize(cols: number, rows: number): void;
  /** Hold (renew the hold on) or let go reading the process's output: the mirror is behind (keeper 'pace'). */
  pace(hold: boolean): void;
}

/** What a session was started as. */
export interface SessionSpec {
  readonly name: string;
  readonly id: string;
  readonly argv: readonly string[];
  readonly isShell: boolean;
  readonly cwd: string;
  readonly createdAt: number;
  /** The nonce handed to the shell's integration script, if any. */
  readonly nonce: string | null;
}

interface Attached {
  readonly readOnly: boolean;
  cols: number;
  rows: number;
  /** Output that arrived while the snapshot was being taken (null once live). */
  pending: Uint8Array[] | null;
  /** Dropped output: the client gets a fresh screen when it drains. */
  stale: boolean;
}

// Sent before a painted screen: end any synchronized update (mode 2026),
// soft-reset modes (DECSTR), home and clear. Never a query.
const PAINT_PREFIX = '\x1b[?2026l\x1b[!p\x1b[H\x1b[2J';
// Before the scrollback: clear the client's own scrollback too.
const HISTORY_PREFIX = '\x1b[?2026l\x1b[!p\x1b[H\x1b[2J\x1b[3J';

/** When a session's mirror rests (keeps its screen as text; ScreenMirror.rest). */
export const MIRROR_REST = {
  /** No output for between one and two of these, and nobody attached. */
  idleMs: 10_000,
} as const;

/**
 * How far the mirror may fall behind a flood. Above `holdAt` bytes waiting
 * to be parsed the keeper is asked to stop reading the pty (the program
 * waits, as it would on any terminal slower than it), below `releaseAt` to
 * go on: a flood is paced to xterm's parser (~50 MiB/s here) instead of
 * overrunning the keeper's ring (4 MiB) or xterm's own queue, which throws
 * past 50 MB. The keeper ends a hold by itself if the host stops renewing it.
 */
export const MIRROR_PACE = {
  holdAt: 4 * 1024 * 1024,
  releaseAt: 1024 * 1024,
} as const;

/** One hosted session. */
export class HostSession {
  readonly mirror: ScreenMirror;
  private readonly clients = new Map<ClientLink, Attached>();
  /** The client that last typed (or attached writable): its size is the session's. */
  private sizeOwner: ClientLink | null = null;
  /** Offset of the next output byte the mirror expects. */
  offset = 0;
  /** Bytes that never reached the mirror (fell off the keeper's ring while the host was away). */
  lostBytes = 0;
  pid: number | null = null;
  exit: { exitCode: number; signal: number | null } | null = null;
  cols: number;
  rows: number;
  /** Output since the last checkpoint. */
  dirty = true;
  revivedAt: number | null = null;
  /** Replies to queries are not sent while replayed bytes are parsed (they answered long ago). */
  private replaying = 0;
  private readonly listeners: ((data: Uint8Array) => void)[] = [];
  /** Output chunks so far, and as of the last rest check: unchanged for a whole period means idle. */
  private chunks = 0;
  private chunksAtCheck = -1;
  private readonly restTimer: NodeJS.Timeout;
  /** The keeper is holding the pty for the mirror to catch up. */
  private holding = false;
  private readonly onParsed = (): void => {
    if (this.holding && this.mirror.backlog <= MIRROR_PACE.releaseAt) {
      this.holding = false;
      this.actions.pace(false);
    }
  };

  constructor(
    readonly spec: SessionSpec,
    private readonly actions: SessionActions,
    size: { cols: number; rows: number },
    scrollback?: number,
  ) {
    this.cols = size.cols;
    this.rows = size.rows;
    this.mirror = new ScreenMirror({ cols: size.cols, rows: size.rows, ...(scrollback !== undefined ? { scrollback } : {}) });
    this.mirror.onReply((reply) => {
      // A writable client's own terminal answers; otherwise the mirror must, or the program hangs.
      if (this.replaying === 0 && !this.hasWriter()) this.actions.input(reply);
    });
    this.restTimer = setInterval(() => this.restIfIdle(), MIRROR_REST.idleMs).unref();
  }

  /** Let the mirror rest when no output came for a whole period and nobody is attached (they would wake it at once). */
  private restIfIdle(): void {
    const idle = this.chunks === this.chunksAtCheck;
    this.chunksAtCheck = this.chunks;
    if (idle && this.clients.size === 0 && !this.mirror.resting) void this.mirror.rest().then((rested) => rested && reclaimSoon());
  }

  get state(): PtySessionInfo['state'] {
    return this.exit ? 'exited' : this.pid === null ? 'starting' : 'running';
  }

  /** Be told of every output byte the mirror takes (shell integration, the output log). */
  onOutput(listener: (data: Uint8Array) => void): void {
    this.listeners.push(listener);
  }

  /** Paint bytes that are history, not live output (a revived screen, the "restored" line): no replies, no clients. */
  async replay(data: string | Uint8Array): Promise<void> {
    this.replaying++;
    this.mirror.write(data);
    await this.mirror.settled();
    this.replaying--;
  }

  /** Output from the keeper at absolute offset `from` (a gap before it fell off the keeper's ring). */
  output(from: number, data: Uint8Array): void {
    let bytes = data;
    if (from + bytes.length <= this.offset) return; // already have it
    if (from < this.offset) bytes = bytes.subarray(this.offset - from);
    else if (from > this.offset) this.lostBytes += from - this.offset;
    this.offset = from + data.length;
    this.dirty = true;
    this.chunks++;
    this.mirror.write(bytes, this.onParsed);
    // Every chunk that finds the mirror this far behind renews the hold: bytes already on their way still come.
    if (this.mirror.backlog > MIRROR_PACE.holdAt) {
      this.holding = true;
      this.actions.pace(true);
    }
    for (const l of this.listeners) l(bytes);
    for (const [link, c] of this.clients) {
      if (c.pending) {
        c.pending.push(Uint8Array.from(bytes));
        continue;
      }
      if (c.stale) continue;
      if (!link.send({ type: 'output', id: this.spec.id, data: bytes })) c.stale = true;
    }
  }

  /** The process ended: tell every client. */
  exited(exitCode: number, signal: number | null): void {
    this.exit = { exitCode, signal };
    this.dirty = true;
    for (const link of this.clients.keys()) link.send({ type: 'exited', id: this.spec.id, exitCode, signal });
  }

  /**
   * Attach a client: screen first, then the scrollback, then live output
   * with nothing lost or doubled between them.
   */
  async attach(link: ClientLink, options: { cols: number; rows: number; readOnly: boolean }): Promise<void> {
    const c: Attached = { readOnly: options.readOnly, cols: options.cols, rows: options.rows, pending: [], stale: false };
    this.clients.set(link, c);
    if (!options.readOnly) this.takeSize(link);
    // The snapshot holds exactly the bytes written before this point; what
    // arrives after it waits in `pending` and follows the snapshot.
    // The screen is sent from inside that instant, before the scrollback is even serialized,
    // so a long history never delays the first paint.
    await this.mirror.at(() => {
      if (this.clients.get(link) !== c) return;
      link.send({ type: 'attached', name: this.spec.name, id: this.spec.id, screen: this.paint(0) });
      if (this.mirror.lineCount > this.rows) link.send({ type: 'history', id: this.spec.id, data: HISTORY_PREFIX + this.mirror.serialize() + this.titleSequence() });
    });
    if (this.clients.get(link) !== c) return;
    const pending = c.pending ?? [];
    c.pending = null;
    for (const bytes of pending) if (!c.stale && !link.send({ type: 'output', id: this.spec.id, data: bytes })) c.stale = true;
    if (this.exit) link.send({ type: 'exited', id: this.spec.id, ...this.exit });
  }

  detach(link: ClientLink): void {
    this.clients.delete(link);
    if (this.sizeOwner === link) {
      this.sizeOwner = null;
      // The next most recently attached writable client sets the size.
      for (const [other, c] of this.clients) if (!c.readOnly) this.sizeOwner = other;
      const owner = this.sizeOwner ? this.clients.get(this.sizeOwner) : undefined;
      if (owner) this.applySize(owner.cols, owner.rows);
    }
  }

  has(link: ClientLink): boolean {
    return this.clients.has(link);
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Keys a client typed: it becomes the most recently active one. */
  input(link: ClientLink, data: Uint8Array | string): void {
    const c = this.clients.get(link);
    if (!c || c.readOnly || this.exit) return;
    if (this.sizeOwner !== link) this.takeSize(link);
    this.actions.input(data);
  }

  resize(link: ClientLink, cols: number, rows: number): void {
    const c = this.clients.get(link);
    if (!c || c.readOnly) return;
    c.cols = cols;
    c.rows = rows;
    if (this.sizeOwner === link || this.sizeOwner === null) this.takeSize(link);
  }

  /** A client that fell behind drained: a fresh screen instead of what it missed. */
  drained(link: ClientLink): void {
    const c = this.clients.get(link);
    if (!c || !c.stale) return;
    // The fresh screen and live output resume at one instant: drop what was queued meanwhile.
    c.pending = [];
    void this.mirror.at(() => this.paint(0)).then((screen) => {
      if (this.clients.get(link) !== c) return;
      const pending = c.pending ?? [];
      c.pending = null;
      c.stale = !link.send({ type: 'redraw', id: this.spec.id, data: screen });
      for (const bytes of pending) if (!c.stale && !link.send({ type: 'output', id: this.spec.id, data: bytes })) c.stale = true;
    });
  }

  /** The screen as text (or escape sequences with `ansi`), for peek and previews. */
  peek(ansi: boolean): Promise<string> {
    return this.mirror.at(() => (ansi ? this.mirror.serialize({ scrollback: 0 }) : this.mirror.screenLines().join('\n').replace(/\n+$/, '') + '\n'));
  }

  info(cwd: string | null): PtySessionInfo {
    return {
      name: this.spec.name,
      id: this.spec.id,
      state: this.state,
      pid: this.pid,
      exitCode: this.exit?.exitCode ?? null,
      signal: this.exit?.signal ?? null,
      cols: this.cols,
      rows: this.rows,
      title: this.mirror.facts().title,
      cwd,
      clients: this.clients.size,
      createdAt: this.spec.createdAt,
      revivedAt: this.revivedAt,
      outputBytes: this.offset,
      lostBytes: this.lostBytes,
    };
  }

  dispose(): void {
    clearInterval(this.restTimer);
    this.clients.clear();
    this.mirror.dispose();
  }

  private hasWriter(): boolean {
    for (const c of this.clients.values()) if (!c.readOnly && c.pending === null) return true;
    return false;
  }

  private takeSize(link: ClientLink): void {
    const c = this.clients.get(link);
    if (!c) return;
    this.sizeOwner = link;
    this.applySize(c.cols, c.rows);
  }

  private applySize(cols: number, rows: number): void {
    if (cols === this.cols && rows === this.rows) return;
    this.cols = cols;
    this.rows = rows;
    this.mirror.resize(cols, rows);
    this.actions.resize(cols, rows);
    this.dirty = true;
  }

  private paint(scrollback: number): string {
    return PAINT_PREFIX + this.mirror.serialize({ scrollback }) + this.titleSequence();
  }

  private titleSequence(): string {
    const title = stripControl(this.mirror.facts().title);
    return title ? `\x1b]2;${title}\x07` : '';
  }
}
