/**
 * The keeper's state: the pty processes of every session, a bounded ring of
 * each one's recent output, and at most one host following them. It
 * deliberately knows nothing else — no screen, no parser, no checkpoint — so
 * it stays small and has little that can crash; the host, which does all
 * of that, can die and come back without a shell noticing. Transport-free:
 * keeper.ts puts it on a socket.
 */
import { spawnPty, type PtyProcess } from '../../sessions/pty/adapter.js';
import { OutputRing } from '../../sessions/pty/output-ring.js';
import type { HostToKeeper, KeeperToHost, KeptSession } from './keeper-protocol.js';

/** Tunables of the keeper. */
export const KEEPER_LIMITS = {
  /** Recent output kept per session for a host that comes back. */
  ringBytes: 4 * 1024 * 1024,
  /** Largest output message to the host. */
  frameBytes: 256 * 1024,
  /** Sessions one keeper holds at most. */
  sessions: 256,
  /** Longest a host's hold on reading a pty lasts without being renewed ('pace'). */
  holdMs: 1_000,
} as const;

/** Where the keeper's messages to the host go. */
export interface HostLink {
  /** False when the message was not queued (the host is not reading): it is sent again after a drain. */
  send(message: KeeperToHost): boolean;
}

interface Kept {
  readonly id: string;
  readonly name: string;
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly createdAt: number;
  readonly proc: PtyProcess;
  readonly ring: OutputRing;
  cols: number;
  rows: number;
  exit: { exitCode: number; signal: number | null } | null;
  /** Offset up to which the host has been sent output, or null when it does not follow. */
  sent: number | null;
  /** A flush is scheduled for the end of this turn of the event loop. */
  flushQueued: boolean;
  /** While reading the pty is held: why (the host's mirror is behind, or its queue is full), until when, and the watch. */
  hold: { why: 'mirror' | 'queue'; until: number; readonly watch: NodeJS.Timeout } | null;
  /** A hold for a full queue ran out without the host draining: no such hold again until it drains. */
  hostStalled: boolean;
}

const SIGNALS = new Set(['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGKILL', 'SIGCONT', 'SIGWINCH', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2']);

/** The sessions a keeper holds, and its one host. */
export class KeeperCore {
  private readonly sessions = new Map<string, Kept>();
  private host: HostLink | null = null;
  /** Called when the last session is gone and no host follows: the keeper may exit. */
  onIdle: () => void = () => {};

  constructor(private readonly limits: { ringBytes: number; holdMs: number } = KEEPER_LIMITS) {}

  /** A host connected: it replaces any previous one (that one is gone or stale). */
  attachHost(link: HostLink): void {
    this.host = link;
    for (const s of this.sessions.values()) {
      s.sent = null;
      letGo(s);
    }
  }

  /** The host's connection ended: keep everything, stream to nobody. */
  detachHost(link: HostLink): void {
    if (this.host !== link) return;
    this.host = null;
    for (const s of this.sessions.values()) {
      s.sent = null;
      letGo(s);
    }
    this.checkIdle();
  }

  /** Whether the host holds reading `id`'s pty now (pace). */
  held(id: string): boolean {
    return this.sessions.get(id)?.hold != null;
  }

  /** The host's queue drained: send what waited in the rings, and exits it may have missed. */
  hostDrained(): void {
    for (const s of this.sessions.values()) {
      s.hostStalled = false;
      this.flush(s);
      if (s.hold?.why === 'queue' && s.sent === s.ring.end) letGo(s);
      if (s.exit && s.sent !== null) this.host?.send({ type: 'exit', id: s.id, ...s.exit });
    }
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Sessions whose process still runs. */
  get running(): number {
    let n = 0;
    for (const s of this.sessions.values()) if (!s.exit) n++;
    return n;
  }

  /** Whether a host follows the sessions now. */
  get hosted(): boolean {
    return this.host !== null;
  }

  /** Handle one message from the host (unknown types are ignored). */
  async handle(link: HostLink, m: HostToKeeper): Promise<void> {
    if (link !== this.host) return;
    switch (m.type) {
      case 'list':
        link.send({ type: 'sessions', sessions: [...this.sessions.values()].map(describe) });
        return;
      case 'spawn':
        await this.spawn(link, m);
        return;
      case 'input': {
        const s = this.sessions.get(m.id);
        if (s && !s.exit) s.proc.write(typeof m.data === 'string' ? m.data : Buffer.from(m.data));
        return;
      }
      case 'resize': {
        const s = this.sessions.get(m.id);
        if (!s || s.exit) return;
        s.cols = m.cols;
        s.rows = m.rows;
        s.proc.resize(m.cols, m.rows);
        return;
      }
      case 'signal': {
        const s = this.sessions.get(m.id);
        if (s && !s.exit && SIGNALS.has(m.signal)) s.proc.kill(m.signal as NodeJS.Signals);
        return;
      }
      case 'follow': {
        const s = this.sessions.get(m.id);
        if (!s) return;
        s.sent = Math.max(0, Math.min(m.from, s.ring.end));
        this.flush(s, m.from);
        if (s.exit) link.send({ type: 'exit', id: s.id, ...s.exit });
        return;
      }
      case 'pace': {
        const s = this.sessions.get(m.id);
        if (!s || s.exit) return;
        if (m.hold) this.holdReading(s, 'mirror');
        else letGo(s);
        return;
      }
      case 'release': {
        const s = this.sessions.get(m.id);
        if (s?.exit) this.sessions.delete(m.id);
        this.checkIdle();
        return;
      }
      default:
        return;
    }
  }

  /** End every session (SIGHUP, as a closing terminal would). */
  hangUpAll(): void {
    for (const s of this.sessions.values()) {
      letGo(s);
      if (!s.exit) s.proc.kill('SIGHUP');
    }
  }

  private async spawn(link: HostLink, m: Extract<HostToKeeper, { type: 'spawn' }>): Promise<void> {
    const refuse = (message: string) => void link.send({ type: 'spawn-failed', id: m.id, message });
    if (this.sessions.has(m.id)) return refuse(`a session with id ${m.id} already exists`);
    if (this.sessions.size >= KEEPER_LIMITS.sessions) return refuse(`the keeper holds ${KEEPER_LIMITS.sessions} sessions already`);
    let proc: PtyProcess;
    try {
      proc = await spawnPty({ file: m.file, args: m.args, cwd: m.cwd, env: m.env, cols: m.cols, rows: m.rows });
    } catch (e) {
      return refuse(e instanceof Error ? e.message : String(e));
    }
    const s: Kept = {
      id: m.id,
      name: m.name,
      file: m.file,
      args: m.args,
      cwd: m.cwd,
      createdAt: Date.now(),
      proc,
      ring: new OutputRing(this.limits.ringBytes),
      cols: m.cols,
      rows: m.rows,
      exit: null,
      sent: null,
      flushQueued: false,
      hold: null,
      hostStalled: false,
    };
    this.sessions.set(m.id, s);
    proc.onData((data) => {
      s.ring.push(data);
      // One frame for every chunk read in this turn of the event loop: a busy program's many small reads cost one message.
      if (s.flushQueued) return;
      s.flushQueued = true;
      setImmediate(() => {
        s.flushQueued = false;
        this.flush(s);
      });
    });
    proc.onExit((e) => {
      letGo(s);
      s.exit = { exitCode: e.exitCode, signal: e.signal };
      // The last bytes first, so the host's screen is complete before it hears of the exit.
      this.flush(s);
      if (this.host && s.sent !== null) this.host.send({ type: 'exit', id: s.id, ...s.exit });
      this.checkIdle();
    });
    link.send({ type: 'spawned', id: m.id, pid: proc.pid });
  }

  /**
   * Send the host what it has not had of `s`. When its queue is full the
   * bytes stay in the ring and go after the drain; the shell never waits.
   */
  private flush(s: Kept, asked?: number): void {
    const host = this.host;
    if (!host || s.sent === null) return;
    let from = asked ?? s.sent;
    if (from >= s.ring.end && asked === undefined) return;
    // In pieces well under a frame's cap, so a long backlog never makes one frame too big to queue.
    do {
      const read = s.ring.readFrom(from, KEEPER_LIMITS.frameBytes);
      if (read.data.length === 0 && read.lost === 0) return;
      if (!host.send({ type: 'output', id: s.id, from: read.from, data: read.data, lost: read.lost })) {
        // The host is not reading (a checkpoint, a sync, a GC pause): hold the program rather than
        // let the ring overrun, for at most a lease — a host that hangs costs bytes, never a stalled shell.
        if (!s.hold && !s.hostStalled) this.holdReading(s, 'queue');
        return;
      }
      from = read.from + read.data.length;
      s.sent = from;
    } while (from < s.ring.end);
  }

  /**
   * Stop reading `s`'s pty (or renew the hold) for at most holdMs. Watched
   * every few ms: once the program is gone the pty is read again at once,
   * for node-pty discards what is left unread 200 ms after the exit.
   */
  private holdReading(s: Kept, why: 'mirror' | 'queue'): void {
    if (s.exit) return;
    const until = Date.now() + this.limits.holdMs;
    if (s.hold) {
      s.hold.why = why;
      s.hold.until = until;
      return;
    }
    s.proc.pause();
    const watch = setInterval(() => {
      if (Date.now() < s.hold!.until && processExists(s.proc.pid)) return;
      if (s.hold!.why === 'queue' && Date.now() >= s.hold!.until) s.hostStalled = true;
      letGo(s);
    }, HOLD_WATCH_MS);
    s.hold = { why, until, watch };
  }

  private checkIdle(): void {
    if (!this.host && this.running === 0) this.onIdle();
  }
}

// How often a hold checks that its program still runs and its lease still holds.
const HOLD_WATCH_MS = 20;

/** End a hold on reading `s`'s pty (the host caught up, its lease ran out, the program ended, or the host is gone). */
function letGo(s: Kept): void {
  if (!s.hold) return;
  clearInterval(s.hold.watch);
  s.hold = null;
  s.proc.resume();
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function describe(s: Kept): KeptSession {
  return {
    id: s.id,
    name: s.name,
    pid: s.proc.pid,
    file: s.file,
    args: s.args,
    cwd: s.cwd,
    cols: s.cols,
    rows: s.rows,
    start: s.ring.start,
    end: s.ring.end,
    exit: s.exit,
    createdAt: s.createdAt,
  };
}
