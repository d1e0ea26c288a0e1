/**
 * Small tmux queries, one call each, decoded by formats.ts: window
 * activity and clients (health), the server's pid with its sessions and
 * each pane's pid (the watch daemon). Non-goals: the layout read
 * (layout-read.ts), captures (capture.ts).
 */
import type { ServerSpec } from './server.js';
import { runTmux, type RunOptions } from './client.js';
import { decodeRows, FORMATS, listCommand, type Row } from './formats.js';

/** The commands asking for window activity and attached clients, in one call. */
const ACTIVITY_AND_CLIENTS = [listCommand('list-windows', FORMATS.activity, '-a'), listCommand('list-clients', FORMATS.clients)];

/** Session name → attached clients that are not control-mode clients (people, not programs). */
function peopleBySession(rows: readonly Row<typeof FORMATS.clients>[]): Map<string, number> {
  const clients = new Map<string, number>();
  for (const c of rows) if (c.client_control_mode !== '1') clients.set(c.client_session, (clients.get(c.client_session) ?? 0) + 1);
  return clients;
}

/** What the layout does not hold: each window's last output time and people's clients per session. */
export interface ActivityAndClients {
  /** Window id → unix seconds of its last output. */
  readonly activity: Map<string, number>;
  /** Session name → attached clients that are not control-mode clients. */
  readonly clients: Map<string, number>;
}

/** Decode the activity-and-clients call's output (pure). */
export function decodeActivityAndClients(buf: Buffer): ActivityAndClients {
  const [windows, clients] = decodeRows(buf, [FORMATS.activity, FORMATS.clients]);
  return {
    activity: new Map(windows.map((w) => [w.window_id, Number(w.window_activity) || 0])),
    clients: peopleBySession(clients),
  };
}

/** Window activity and people's clients, in one tmux call. Throws TmuxError. */
export async function readActivityAndClients(server: ServerSpec, opts: RunOptions = {}): Promise<ActivityAndClients> {
  return decodeActivityAndClients((await runTmux(server, ACTIVITY_AND_CLIENTS, opts)).stdout);
}

/** Session name → attached clients that are not control-mode clients. Throws TmuxError. */
export async function readClients(server: ServerSpec, opts: RunOptions = {}): Promise<Map<string, number>> {
  const { stdout } = await runTmux(server, [listCommand('list-clients', FORMATS.clients)], opts);
  return peopleBySession(decodeRows(stdout, [FORMATS.clients])[0]);
}

/** The server's pid and its sessions' ids. */
export interface ServerPid {
  readonly pid: number;
  readonly sessionIds: readonly string[];
}

/** Decode the server-pid call's output (pure). */
export function decodeServerPid(buf: Buffer): ServerPid {
  const [rows] = decodeRows(buf, [FORMATS.sessionPids]);
  return { pid: Number(rows[0]?.pid ?? 0), sessionIds: rows.map((r) => r.session_id) };
}

/** The server's pid and session ids, in one call (a server has no pid format without a session). Throws TmuxError. */
export async function readServerPid(server: ServerSpec, opts: RunOptions = {}): Promise<ServerPid> {
  return decodeServerPid((await runTmux(server, [listCommand('list-sessions', FORMATS.sessionPids)], opts)).stdout);
}

/** Decode the pane-pids call's output (pure): pane id → pid. */
export function decodePanePids(buf: Buffer): Map<string, number> {
  const [rows] = decodeRows(buf, [FORMATS.panePids]);
  return new Map(rows.map((r) => [r.pane_id, Number(r.pane_pid)]));
}

/** Every pane's id → its process id, in one call. Throws TmuxError. */
export async function readPanePids(server: ServerSpec, opts: RunOptions = {}): Promise<Map<string, number>> {
  return decodePanePids((await runTmux(server, [listCommand('list-panes', FORMATS.panePids, '-a')], opts)).stdout);
}

/** Every session's id → name, in one call. Throws TmuxError. */
export async function readSessionNames(server: ServerSpec, opts: RunOptions = {}): Promise<Map<string, string>> {
  const { stdout } = await runTmux(server, [listCommand('list-sessions', FORMATS.sessionNames)], opts);
  return new Map(decodeRows(stdout, [FORMATS.sessionNames])[0].map((r) => [r.session_id, r.session_name]));
}

/** A global option's value (`show-options -gqv NAME`), '' when unset. Throws TmuxError (no server included). */
export async function readGlobalOption(server: ServerSpec, name: string, opts: RunOptions = {}): Promise<string> {
  const { stdout } = await runTmux(server, [['show-options', '-gqv', name]], opts);
  return stdout.toString('utf8').replace(/\n$/, '');
}
