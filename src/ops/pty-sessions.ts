/**
 * The PTY use cases that ask the host one thing: list, new, peek, kill,
 * revive, and a preview of a session's screen for the TUI. When the host is
 * not running, list answers from the newest PTY checkpoint instead (each
 * session revivable, or "host down" while its shell still runs in the
 * keeper), and says so. Nothing here prints or reads argv.
 */
import { createCheckpointStore } from '../../checkpoints/store.js';
import { ptyStoreDir } from '../../checkpoints/paths.js';
import type { PtySessionRecord } from '../../checkpoints/schema.js';
import { PROC_IDENTITY } from '../../sessions/proc/liveness.js';
import { reviveAllowed } from '../../sessions/pty/revive-plan.js';
import type { PtySessionInfo } from '../pty-host/client-protocol.js';
import { HostConnection, PtyHostError, type PtyHostAccess } from './pty-client.js';

/** How a PTY session stands, as list shows it. */
export type PtyKind = 'running' | 'exited' | 'revivable' | 'host down' | 'left down';

/** One PTY session in a listing. */
export interface PtyListing {
  readonly name: string;
  readonly kind: PtyKind;
  /** Exit code of an exited session. */
  readonly exitCode: number | null;
  readonly pid: number | null;
  readonly cwd: string | null;
  readonly title: string;
  readonly clients: number;
  readonly size: { readonly cols: number; readonly rows: number };
}

/** Every PTY session: from the host when it runs, else from the newest checkpoint. */
export async function listPtySessions(access: PtyHostAccess): Promise<{ readonly hostRunning: boolean; readonly sessions: PtyListing[] }> {
  let conn: HostConnection;
  try {
    conn = await HostConnection.open(access, { start: false });
  } catch (e) {
    if (e instanceof PtyHostError && e.kind === 'host-down') return { hostRunning: false, sessions: await fromCheckpoint(access) };
    throw e;
  }
  try {
    const reply = await conn.request({ type: 'list' }, ['sessions']);
    return { hostRunning: true, sessions: reply.sessions.map(fromHost) };
  } finally {
    conn.close();
  }
}

function fromHost(s: PtySessionInfo): PtyListing {
  return {
    name: s.name,
    kind: s.state === 'exited' ? 'exited' : 'running',
    exitCode: s.exitCode,
    pid: s.pid,
    cwd: s.cwd,
    title: s.title,
    clients: s.clients,
    size: { cols: s.cols, rows: s.rows },
  };
}

/** The sessions of the newest PTY checkpoint, with what became of each. */
export async function savedPtySessions(stateDir: string): Promise<readonly PtySessionRecord[]> {
  const store = createCheckpointStore({ dir: ptyStoreDir(stateDir), stateDir, identity: PROC_IDENTITY });
  const newest = await store.newestGood((b) => (b.ptySessions?.length ?? 0) > 0);
  return newest.ok ? (newest.value.checkpoint?.body.ptySessions ?? []) : [];
}

async function fromCheckpoint(access: PtyHostAccess): Promise<PtyListing[]> {
  const now = Date.now();
  return (await savedPtySessions(access.stateDir)).map((r) => {
    const running = r.process.state === 'running';
    // The shell may still run in the keeper while the host is down; a reused pid only makes this say "host down" wrongly, never lose a session.
    const alive = r.process.state === 'running' && PROC_IDENTITY.isPidRunning(r.process.pid);
    const kind: PtyKind = !running ? 'exited' : alive ? 'host down' : reviveAllowed(r.revives, now) ? 'revivable' : 'left down';
    return {
      name: r.name,
      kind,
      exitCode: r.process.state === 'exited' ? r.process.exitCode : null,
      // Only a shell that still runs has a pid worth showing: a revivable one's is gone (and may be reused).
      pid: alive && r.process.state === 'running' ? r.process.pid : null,
      cwd: r.cwd.path,
      title: r.title,
      clients: 0,
      size: { cols: r.cols, rows: r.rows },
    };
  });
}

/** What `new` starts. */
export interface NewPtyRequest {
  readonly name: string;
  /** null: the user's shell. */
  readonly argv: readonly string[] | null;
  readonly cwd: string;
  readonly cols: number;
  readonly rows: number;
}

/** Create a session (starting the host if needed); resolves with its pid. */
export async function newPtySession(access: PtyHostAccess, req: NewPtyRequest): Promise<{ readonly pid: number; readonly id: string }> {
  const conn = await HostConnection.open(access, { start: true });
  try {
    // The session inherits this command's environment, as a shell started here would.
    const env = Object.fromEntries(Object.entries(access.env).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const reply = await conn.request({ type: 'new', name: req.name, argv: req.argv, cwd: req.cwd, cols: req.cols, rows: req.rows, env }, ['created']);
    return { pid: reply.pid, id: reply.id };
  } finally {
    conn.close();
  }
}

/** The session's screen as text (or escape sequences with `ansi`). */
export async function peekPtySession(access: PtyHostAccess, name: string, ansi: boolean): Promise<string> {
  // A host that is down is started: it adopts the keeper's shells (or revives them) and has the screen.
  const conn = await HostConnection.open(access, { start: true });
  try {
    return (await conn.request({ type: 'peek', name, ansi }, ['peeked'])).text;
  } finally {
    conn.close();
  }
}

/** A session's screen for the TUI's preview: the serialized screen (as `peek --ansi`) and the size it was drawn at. */
export interface PtyScreen {
  readonly cols: number;
  readonly rows: number;
  /** Escape sequences that paint the screen on a blank terminal of that size: untrusted program output. */
  readonly ansi: string;
}

/**
 * The screen of a running session, for the TUI's live preview. Never starts
 * a host (a preview only shows what runs); the size comes from the same
 * connection, so the screen is replayed at the width it was drawn at.
 */
export async function previewPtySession(access: PtyHostAccess, name: string, timeoutMs = 3_000): Promise<PtyScreen> {
  const conn = await HostConnection.open(access, { start: false });
  try {
    // A preview that waits long only holds up the next one: a few seconds, not the 15 of a command.
    const listed = (await conn.request({ type: 'list' }, ['sessions'], timeoutMs)).sessions.find((s) => s.name === name);
    if (!listed) throw new PtyHostError('unknown-session', `No PTY session named ${JSON.stringify(name)}`);
    const { text } = await conn.request({ type: 'peek', name, ansi: true }, ['peeked'], timeoutMs);
    return { cols: listed.cols, rows: listed.rows, ansi: text };
  } finally {
    conn.close();
  }
}

/** End a session (hang up its process, forget it). */
export async function killPtySession(access: PtyHostAccess, name: string): Promise<void> {
  const conn = await HostConnection.open(access, { start: true });
  try {
    await conn.request({ type: 'kill', name }, ['killed']);
  } finally {
    conn.close();
  }
}

/** Start the host if it is down: it adopts what the keeper holds and revives the rest from the checkpoint. */
export async function revivePtySessions(access: PtyHostAccess): Promise<PtyListing[]> {
  const conn = await HostConnection.open(access, { start: true });
  try {
    return (await conn.request({ type: 'list' }, ['sessions'])).sessions.map(fromHost);
  } finally {
    conn.close();
  }
}
