/**
 * Builders for health and TUI tests: live layouts, observations, checkpoint
 * records and index entries, without a tmux server.
 */
import type { CheckpointEntry } from '../../../checkpoints/store.js';
import type { SessionRecord } from '../../../checkpoints/schema.js';
import type { Observation, PaneFacts, ProcFacts, SavedSession, ServerFacts } from '../../../sessions/health/classify.js';
import type { LivePane, LiveServer, LiveSession, LiveWindow } from '../../../sessions/live/types.js';
import { sessionToRecord } from '../../../sessions/live/record.js';

let paneSeq = 0;

/** A live pane. */
export function livePane(over: Partial<LivePane> = {}): LivePane {
  const n = paneSeq++;
  return {
    id: `%${n}`,
    index: 0,
    title: '',
    active: true,
    last: false,
    width: 80,
    height: 24,
    pid: 10_000 + n,
    tty: `/dev/pts/${n}`,
    currentCommand: 'bash',
    currentPath: '/home/ann',
    dead: false,
    alternateOn: false,
    ...over,
  };
}

/** A live window of `panes` panes. */
export function liveWindow(index: number, name: string, panes = 1, over: Partial<LiveWindow> = {}): LiveWindow {
  return {
    id: `@${index}${name.length}`,
    index,
    name,
    automaticRename: false,
    layout: 'b25d,80x24,0,0,0',
    active: index === 0,
    last: false,
    zoomed: false,
    width: 80,
    height: 24,
    panes: Array.from({ length: panes }, (_, i) => livePane({ index: i, active: i === 0 })),
    ...over,
  };
}

/** A live session with the given windows (name → pane count). */
export function liveSession(name: string, windows: Record<string, number> = { main: 1 }, attached = 1): LiveSession {
  return {
    id: `$${name.length}`,
    name,
    created: 1_700_000_000,
    baseIndex: 0,
    attached,
    windows: Object.entries(windows).map(([w, n], i) => liveWindow(i, w, n)),
  };
}

/** A live server holding `sessions`. */
export function liveServer(sessions: LiveSession[], pid = 4242): LiveServer {
  return { version: '3.3a', pid, socketPath: '/tmp/tmux-0/test', sessions };
}

/** /proc facts of a process. */
export function proc(pid: number, comm: string, state = 'S', over: Partial<ProcFacts> = {}): ProcFacts {
  return { pid, comm, state, wchan: null, syscall: null, cpuTicks: 10, ...over };
}

/** Server facts: answered unless told otherwise. */
export function serverFacts(over: Partial<ServerFacts> = {}): ServerFacts {
  return {
    socketPath: '/tmp/tmux-0/test',
    label: '-L test',
    answer: 'answered',
    ms: 4,
    timeoutMs: 1500,
    message: null,
    timeoutsInARow: 0,
    process: proc(4242, 'tmux: server', 'S', { wchan: 'do_sys_poll', syscall: 7 }),
    ...over,
  };
}

/** Facts of a quiet pane of `session`. */
export function paneFacts(session: string, pane: LivePane, over: Partial<PaneFacts> = {}): PaneFacts {
  return {
    paneId: pane.id,
    session,
    windowIndex: 0,
    paneIndex: pane.index,
    tty: pane.tty,
    panePid: pane.pid,
    shellCwd: '/home/ann',
    fgPgid: null,
    fgCommand: null,
    stopped: [],
    blockedWriter: null,
    notReading: null,
    ...over,
  };
}

/** An observation of `live` where every pane is quiet, with clients from `attached`. */
export function observation(live: LiveServer | null, over: Partial<Observation> = {}): Observation {
  const panes = (live?.sessions ?? []).flatMap((s) => s.windows.flatMap((w) => w.panes.map((p) => paneFacts(s.name, p, { windowIndex: w.index }))));
  return {
    at: Date.parse('2026-11-24T10:00:00Z'),
    server: serverFacts(),
    live,
    liveIsFresh: true,
    clients: live ? new Map(live.sessions.map((s) => [s.name, s.attached])) : null,
    panes,
    ...over,
  };
}

/** The checkpoint record of a live session (what a save would have written). */
export function recordOf(s: LiveSession): SessionRecord {
  return sessionToRecord(s);
}

/** A saved-session entry for the classifier. */
export function saved(record: SessionRecord | null, id = '20261124T095000.000Z-aaaa', createdAt = '2026-11-24T09:50:00Z'): SavedSession {
  return { checkpointId: id, createdAt, record };
}

/** A checkpoint index entry. */
export function entry(id: string, createdAt: string, sessions: string[], over: Partial<CheckpointEntry> = {}): CheckpointEntry {
  return {
    id,
    createdAt,
    sessions,
    panes: sessions.length,
    bytes: 2048,
    mtimeMs: Date.parse(createdAt),
    valid: true,
    meaningful: true,
    blobs: [],
    error: null,
    path: `/state/checkpoints/${id}.json`,
    ...over,
  };
}
