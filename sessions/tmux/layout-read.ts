/**
 * Reads a whole server's layout in one tmux call: its sessions, windows and
 * panes as three lists in one command queue, which tmux runs back to back
 * (nothing else changes the server in between). Every text field is sent as
 * `<byte length>:<value>` (#{n:…} is the byte length), so names and paths
 * holding tabs, newlines, `|` or any other byte survive exactly.
 *
 * Why three lists rather than one list-panes with every field: session and
 * window fields repeated on every pane row cost tmux ~8 ms more for 400
 * panes (~30 ms instead of ~21, the window layout string alone is dumped
 * once per pane) and triple the bytes to decode.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { LivePane, LiveServer, LiveSession, LiveWindow, PaneOptions } from '../live/types.js';
import type { ServerSpec } from './server.js';
import { assertSupportedVersion, runTmux, type RunOptions } from './client.js';
import { TmuxError } from './errors.js';
import { decodeRows, decodeTagged, FORMATS, listCommand, PENDING_OPTION, recordFormat } from './formats.js';

/**
 * Per record kind: fields that can only hold digits, ids, flags or a layout
 * string, sent space-separated, cheaply, then fields that may hold any byte,
 * sent length-prefixed. pane_current_path/command are not read here: tmux
 * looks them up in /proc per pane, which doubles the cost of the call, and
 * sessions/proc/facts.ts reads better facts directly (they are asked for only
 * where /proc has nothing; see readTmuxFallbacks).
 */
const KINDS = {
  S: {
    list: 'list-sessions',
    safe: ['version', 'pid', 'session_id', 'session_created', 'base-index', 'session_attached'],
    text: ['socket_path', 'session_name', 'session_group'],
  },
  W: {
    list: 'list-windows',
    safe: [
      'session_id',
      'window_id',
      'window_index',
      'automatic-rename',
      'window_layout',
      'window_active',
      'window_last_flag',
      'window_zoomed_flag',
      'window_width',
      'window_height',
    ],
    text: ['window_name'],
  },
  // Joined to their window by session and window index: a window linked into
  // two sessions, or twice into one, lists its panes under each link.
  P: {
    list: 'list-panes',
    safe: [
      'session_id',
      'window_index',
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
      // Pane options (window options before tmux 3.2) a restore brings back: on/off/failed, 1/0.
      'synchronize-panes',
      'remain-on-exit',
    ],
    // The restore's mark on a pane it has not finished with ('' when none).
    text: ['pane_title', PENDING_OPTION],
  },
} as const;
type Kind = keyof typeof KINDS;
type FieldOf<K extends Kind> = (typeof KINDS)[K]['safe'][number] | (typeof KINDS)[K]['text'][number];

/** Every field the layout read asks for, per pane (the benchmark's one-call floor asks for these). */
export const LAYOUT_FIELDS: readonly string[] = [...new Set(Object.values(KINDS).flatMap((k) => [...k.safe, ...k.text]))];

/** A kind's -F format (see recordFormat). */
const formatOf = (kind: Kind): string => recordFormat({ tag: kind, ...KINDS[kind] });

/** The tmux commands that list the whole server, run as one invocation. */
export const LAYOUT_COMMANDS: readonly (readonly string[])[] = (Object.keys(KINDS) as Kind[]).map((k) =>
  k === 'S' ? [KINDS[k].list, '-F', formatOf(k)] : [KINDS[k].list, '-a', '-F', formatOf(k)],
);

/** Field name → position in a decoded record of that kind (after the tag). */
const FIELD_INDEX = Object.fromEntries(
  (Object.keys(KINDS) as Kind[]).map((k) => [k, Object.fromEntries([...KINDS[k].safe, ...KINDS[k].text].map((f, i) => [f, i]))]),
) as { [K in Kind]: Record<FieldOf<K>, number> };

const int = (s: string): number => {
  const n = Number(s);
  return Number.isFinite(n) ? n : 0;
};
const flag = (s: string): boolean => s === '1' || s === 'on';

/** A pane's options that are not off, or undefined when none is (a value tmux may add later is left out, not guessed). */
function paneOptions(synchronize: string, remain: string): PaneOptions | undefined {
  const o: { -readonly [K in keyof PaneOptions]: PaneOptions[K] } = {};
  if (flag(synchronize)) o.synchronizePanes = true;
  if (remain === 'on' || remain === 'failed') o.remainOnExit = remain;
  return Object.keys(o).length ? o : undefined;
}

const SHAPES = Object.fromEntries((Object.keys(KINDS) as Kind[]).map((k) => [k, [KINDS[k].safe.length, KINDS[k].text.length] as const]));

/** Decode the layout commands' output (pure). */
export function decodeLayout(buf: Buffer): [string, string[]][] {
  return decodeTagged(buf, SHAPES);
}

/** Build the live tree from decoded layout records (pure). */
export function buildServer(records: readonly [string, readonly string[]][], fallbackSocket: string): LiveServer {
  const field = <K extends Kind>(kind: K, r: readonly string[]) => (f: FieldOf<K>): string => r[FIELD_INDEX[kind][f]] ?? '';
  let version = '';
  let pid = 0;
  let socketPath = fallbackSocket;
  const sessions: (Omit<LiveSession, 'windows'> & { windows: (Omit<LiveWindow, 'panes'> & { panes: LivePane[] })[] })[] = [];
  const sessionById = new Map<string, (typeof sessions)[number]>();
  const windowByKey = new Map<string, Omit<LiveWindow, 'panes'> & { panes: LivePane[] }>();
  for (const [kind, r] of records) {
    if (kind === 'S') {
      const get = field('S', r);
      version = get('version');
      pid = int(get('pid'));
      socketPath = get('socket_path') || socketPath;
      const s = {
        id: get('session_id'),
        name: get('session_name'),
        created: int(get('session_created')),
        baseIndex: int(get('base-index')),
        attached: int(get('session_attached')),
        ...(get('session_group') ? { group: get('session_group') } : {}),
        windows: [],
      };
      sessions.push(s);
      sessionById.set(s.id, s);
    } else if (kind === 'W') {
      const get = field('W', r);
      const w = {
        id: get('window_id'),
        index: int(get('window_index')),
        name: get('window_name'),
        automaticRename: flag(get('automatic-rename')),
        layout: get('window_layout'),
        active: flag(get('window_active')),
        last: flag(get('window_last_flag')),
        zoomed: flag(get('window_zoomed_flag')),
        width: int(get('window_width')),
        height: int(get('window_height')),
        panes: [],
      };
      sessionById.get(get('session_id'))?.windows.push(w);
      windowByKey.set(`${get('session_id')} ${w.index}`, w);
    } else {
      const get = field('P', r);
      const pending = get(PENDING_OPTION);
      const options = paneOptions(get('synchronize-panes'), get('remain-on-exit'));
      windowByKey.get(`${get('session_id')} ${int(get('window_index'))}`)?.panes.push({
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
        ...(pending ? { pending } : {}),
        ...(options ? { options } : {}),
      });
    }
  }
  for (const s of sessions) {
    s.windows.sort((a, b) => a.index - b.index);
    for (const w of s.windows) w.panes.sort((a, b) => a.index - b.index);
  }
  return { version, pid, socketPath, sessions };
}

/**
 * Read the whole layout of a server: one tmux call. A server with no sessions
 * is reported as no server by tmux 3.3 (it exits when the last session ends).
 */
export async function readLayout(server: ServerSpec, opts: RunOptions = {}): Promise<LiveServer> {
  const { stdout } = await runTmux(server, LAYOUT_COMMANDS, opts);
  const live = buildServer(decodeLayout(stdout), server.socketPath);
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

/** How long a server that refuses commands gets to finish exiting, polled (see readLayoutOnceExited). */
export const EXITING_SERVER = { waitMs: 2_000, pollMs: 50 } as const;

/**
 * Like readLayoutOrEmpty, but a server that refuses commands ("server
 * exited unexpectedly") is given a bounded moment to finish exiting: right
 * after `kill-server`, while a client it must still tell is attached, tmux
 * refuses every new client until it is gone (TMUX-FACTS.md). A restore then
 * would call it frozen. One that still refuses after the wait is reported
 * as refusing; one that hangs is not waited for here (its call times out).
 */
export async function readLayoutOnceExited(
  server: ServerSpec,
  opts: RunOptions = {},
  wait: { readonly waitMs: number; readonly pollMs: number } = EXITING_SERVER,
): Promise<LiveServer> {
  const deadline = Date.now() + wait.waitMs;
  for (;;) {
    try {
      return await readLayoutOrEmpty(server, opts);
    } catch (e) {
      if (!(e instanceof TmuxError && e.kind === 'refused') || Date.now() >= deadline) throw e;
    }
    await sleep(wait.pollMs);
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
  const { stdout } = await runTmux(server, [listCommand('list-panes', FORMATS.paneFallbacks, '-a')], opts);
  for (const r of decodeRows(stdout, [FORMATS.paneFallbacks])[0]) {
    if (want.has(r.pane_id)) out.set(r.pane_id, { command: r.pane_current_command, path: r.pane_current_path });
  }
  return out;
}
