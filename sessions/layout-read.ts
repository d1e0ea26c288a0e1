/**
 * Reads a whole server's layout in one tmux call. Every field is sent as
 * `<byte length>:<value>` (#{n:…} is the byte length), so names and paths
 * holding tabs, newlines, `|` or any other byte survive exactly.
 */
import type { LivePane, LiveServer, LiveSession, LiveWindow } from './layout.js';
import type { ServerSpec } from './server.js';
import { assertSupportedVersion, runTmux, TmuxError, type RunOptions } from './tmux.js';

/** The tmux formats read per pane, in wire order. */
const PANE_FIELDS = [
  'version',
  'pid',
  'socket_path',
  'session_id',
  'session_name',
  'session_created',
  'base-index',
  'session_attached',
  'window_id',
  'window_index',
  'window_name',
  'automatic-rename',
  'window_layout',
  'window_active',
  'window_last_flag',
  'window_zoomed_flag',
  'window_width',
  'window_height',
  'pane_id',
  'pane_index',
  'pane_title',
  'pane_active',
  'pane_last',
  'pane_width',
  'pane_height',
  'pane_pid',
  'pane_tty',
  'pane_current_command',
  'pane_current_path',
  'pane_dead',
  'alternate_on',
] as const;
type PaneField = (typeof PANE_FIELDS)[number];

/** The -F format: each field length-prefixed, one record per line. */
export const LAYOUT_FORMAT = PANE_FIELDS.map((f) => `#{n:${f}}:#{${f}}`).join('');

/** The tmux command that lists every pane of the server. */
export const LIST_PANES_COMMAND = ['list-panes', '-a', '-F', LAYOUT_FORMAT] as const;

/** Split length-prefixed records. Throws on malformed input (a tmux bug, not user data). */
export function decodeRecords(buf: Buffer, fieldCount: number): string[][] {
  const records: string[][] = [];
  let pos = 0;
  while (pos < buf.length) {
    const rec: string[] = [];
    for (let f = 0; f < fieldCount; f++) {
      const colon = buf.indexOf(0x3a, pos);
      const len = colon > pos ? Number(buf.toString('latin1', pos, colon)) : NaN;
      if (!Number.isInteger(len) || colon + 1 + len > buf.length) {
        throw new Error(`Expected a length-prefixed tmux field at byte ${pos}, got ${JSON.stringify(buf.toString('utf8', pos, pos + 20))}`);
      }
      rec.push(buf.toString('utf8', colon + 1, colon + 1 + len));
      pos = colon + 1 + len;
    }
    if (buf[pos] !== 0x0a) throw new Error(`Expected end of tmux record at byte ${pos}`);
    pos++;
    records.push(rec);
  }
  return records;
}

const int = (s: string): number => {
  const n = Number(s);
  return Number.isFinite(n) ? n : 0;
};
const flag = (s: string): boolean => s === '1' || s === 'on';

/** Build the live tree from decoded records (pure). */
export function buildServer(records: readonly string[][], fallbackSocket: string): LiveServer {
  const sessions = new Map<string, { s: Omit<LiveSession, 'windows'>; windows: Map<string, { w: Omit<LiveWindow, 'panes'>; panes: LivePane[] }> }>();
  let version = '';
  let pid = 0;
  let socketPath = fallbackSocket;
  for (const r of records) {
    const get = (f: PaneField): string => r[PANE_FIELDS.indexOf(f)] ?? '';
    version = get('version');
    pid = int(get('pid'));
    socketPath = get('socket_path') || socketPath;
    const sid = get('session_id');
    let sess = sessions.get(sid);
    if (!sess) {
      sess = {
        s: {
          id: sid,
          name: get('session_name'),
          created: int(get('session_created')),
          baseIndex: int(get('base-index')),
          attached: int(get('session_attached')),
        },
        windows: new Map(),
      };
      sessions.set(sid, sess);
    }
    const wid = get('window_id');
    let win = sess.windows.get(wid);
    if (!win) {
      win = {
        w: {
          id: wid,
          index: int(get('window_index')),
          name: get('window_name'),
          automaticRename: flag(get('automatic-rename')),
          layout: get('window_layout'),
          active: flag(get('window_active')),
          last: flag(get('window_last_flag')),
          zoomed: flag(get('window_zoomed_flag')),
          width: int(get('window_width')),
          height: int(get('window_height')),
        },
        panes: [],
      };
      sess.windows.set(wid, win);
    }
    win.panes.push({
      id: get('pane_id'),
      index: int(get('pane_index')),
      title: get('pane_title'),
      active: flag(get('pane_active')),
      last: flag(get('pane_last')),
      width: int(get('pane_width')),
      height: int(get('pane_height')),
      pid: int(get('pane_pid')),
      tty: get('pane_tty'),
      currentCommand: get('pane_current_command'),
      currentPath: get('pane_current_path'),
      dead: flag(get('pane_dead')),
      alternateOn: flag(get('alternate_on')),
    });
  }
  const out: LiveSession[] = [];
  for (const { s, windows } of sessions.values()) {
    const ws: LiveWindow[] = [...windows.values()]
      .map(({ w, panes }) => ({ ...w, panes: panes.sort((a, b) => a.index - b.index) }))
      .sort((a, b) => a.index - b.index);
    out.push({ ...s, windows: ws });
  }
  return { version, pid, socketPath, sessions: out };
}

/**
 * Read the whole layout of a server: one tmux call. A server with no sessions
 * is reported as no server by tmux 3.3 (it exits when the last session ends).
 */
export async function readLayout(server: ServerSpec, opts: RunOptions = {}): Promise<LiveServer> {
  const { stdout } = await runTmux(server, [LIST_PANES_COMMAND], opts);
  const live = buildServer(decodeRecords(stdout, PANE_FIELDS.length), server.socketPath);
  if (live.sessions.length > 0) assertSupportedVersion(live.version);
  return live;
}

/** Like readLayout, but a missing server reads as an empty one. */
export async function readLayoutOrEmpty(server: ServerSpec, opts: RunOptions = {}): Promise<LiveServer> {
  try {
    return await readLayout(server, opts);
  } catch (e) {
    if (e instanceof TmuxError && e.kind === 'no-server') {
      return { version: '', pid: 0, socketPath: server.socketPath, sessions: [] };
    }
    throw e;
  }
}
