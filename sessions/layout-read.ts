/**
 * Reads a whole server's layout in one tmux call. Every field is sent as
 * `<byte length>:<value>` (#{n:…} is the byte length), so names and paths
 * holding tabs, newlines, `|` or any other byte survive exactly.
 */
import type { LivePane, LiveServer, LiveSession, LiveWindow } from './layout.js';
import type { ServerSpec } from './server.js';
import { assertSupportedVersion, runTmux, TmuxError, type RunOptions } from './tmux.js';

/**
 * Fields that can only hold digits, ids, flags or a layout string: sent
 * space-separated, cheaply. Everything else may hold any byte and is sent
 * length-prefixed. pane_current_path/command are not read here: tmux looks
 * them up in /proc per pane, which doubles the cost of the call, and
 * sessions/proc.ts reads better facts directly (they are asked for only
 * where /proc has nothing; see readTmuxFallbacks).
 */
const SAFE_FIELDS = [
  'version',
  'pid',
  'session_id',
  'session_created',
  'base-index',
  'session_attached',
  'window_id',
  'window_index',
  'automatic-rename',
  'window_layout',
  'window_active',
  'window_last_flag',
  'window_zoomed_flag',
  'window_width',
  'window_height',
  'pane_id',
  'pane_index',
  'pane_active',
  'pane_last',
  'pane_width',
  'pane_height',
  'pane_pid',
  'pane_tty',
  'pane_dead',
  'alternate_on',
] as const;
const TEXT_FIELDS = ['socket_path', 'session_name', 'window_name', 'pane_title'] as const;
const PANE_FIELDS = [...SAFE_FIELDS, ...TEXT_FIELDS] as const;
type PaneField = (typeof PANE_FIELDS)[number];
const FIELD_INDEX = Object.fromEntries(PANE_FIELDS.map((f, i) => [f, i])) as Record<PaneField, number>;

/** The -F format: safe fields space-separated, then text fields as `<bytes>:<value>`. */
export const LAYOUT_FORMAT =
  SAFE_FIELDS.map((f) => `#{${f}}`).join(' ') + ' ' + TEXT_FIELDS.map((f) => `#{n:${f}}:#{${f}}`).join('');

/** The tmux command that lists every pane of the server. */
export const LIST_PANES_COMMAND = ['list-panes', '-a', '-F', LAYOUT_FORMAT] as const;

/**
 * Split records of `safeCount` space-separated fields then `textCount`
 * length-prefixed ones. With one count, every field is length-prefixed.
 *
 * The buffer is scanned as one latin1 string (a char per byte, so byte
 * lengths are string lengths): string indexOf stays inside V8, where
 * Buffer#indexOf crosses into C++ per call — 22 ms instead of ~2 ms for
 * 400 panes in a cold process. Text fields holding non-ASCII bytes are then
 * decoded from the buffer as UTF-8.
 */
export function decodeRecords(buf: Buffer, countA: number, countB?: number): string[][] {
  const safeCount = countB === undefined ? 0 : countA;
  const textCount = countB === undefined ? countA : countB;
  const text = buf.toString('latin1');
  const records: string[][] = [];
  let pos = 0;
  const bad = (what: string): never => {
    throw new Error(`Expected ${what} in tmux output at byte ${pos}, got ${JSON.stringify(buf.toString('utf8', pos, pos + 20))}`);
  };
  while (pos < text.length) {
    let rec: string[] = [];
    if (safeCount > 0) {
      // Find the end of the safe fields, then split them in one go.
      let end = pos;
      for (let f = 0; f < safeCount; f++) {
        const sp = text.indexOf(' ', end);
        if (sp < 0) bad('a field');
        end = sp + 1;
      }
      rec = text.slice(pos, end - 1).split(' ');
      pos = end;
    }
    for (let f = 0; f < textCount; f++) {
      const colon = text.indexOf(':', pos);
      const len = colon > pos ? Number(text.slice(pos, colon)) : NaN;
      if (!Number.isInteger(len) || colon + 1 + len > text.length) bad('a length-prefixed field');
      const value = text.slice(colon + 1, colon + 1 + len);
      rec.push(NON_ASCII.test(value) ? buf.toString('utf8', colon + 1, colon + 1 + len) : value);
      pos = colon + 1 + len;
    }
    if (text.charCodeAt(pos) !== 0x0a) bad('end of record');
    pos++;
    records.push(rec);
  }
  return records;
}

const NON_ASCII = /[^\x00-\x7f]/;

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
    const get = (f: PaneField): string => r[FIELD_INDEX[f]] ?? '';
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
      currentCommand: '',
      currentPath: '',
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
  const live = buildServer(decodeRecords(stdout, SAFE_FIELDS.length, TEXT_FIELDS.length), server.socketPath);
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

/**
 * tmux's own view of what some panes run and where, for panes /proc could
 * not describe (another pid namespace, no /proc). One call.
 */
export async function readTmuxFallbacks(
  server: ServerSpec,
  paneIds: readonly string[],
  opts: RunOptions = {},
): Promise<Map<string, { command: string; path: string }>> {
  const out = new Map<string, { command: string; path: string }>();
  if (paneIds.length === 0) return out;
  const want = new Set(paneIds);
  const { stdout } = await runTmux(
    server,
    [['list-panes', '-a', '-F', '#{pane_id} #{n:pane_current_command}:#{pane_current_command}#{n:pane_current_path}:#{pane_current_path}']],
    opts,
  );
  for (const [id, command, path] of decodeRecords(stdout, 1, 2)) {
    if (id && want.has(id)) out.set(id, { command: command ?? '', path: path ?? '' });
  }
  return out;
}
