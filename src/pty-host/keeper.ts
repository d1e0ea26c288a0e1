/**
 * The keeper process: one per user, holding every PTY session's master and
 * a ring of its recent output (keeper-core.ts) behind a Unix socket that
 * only the host talks to. It outlives the host on purpose; it exits once
 * it holds no running session and no host has been connected for a while.
 * Kept small: no screen, no checkpoint, no UI code is loaded here.
 */
import { ptyKeeperLockFile, ptyKeeperSocketFile } from '../../checkpoints/paths.js';
import { takeLock } from '../../checkpoints/lock.js';
import { PROC_IDENTITY } from '../../sessions/proc/liveness.js';
import { ensureRuntimeDir, listen, type Connection, type IpcServer, type Message } from '../ipc/index.js';
import { KeeperCore, type HostLink } from './keeper-core.js';
import type { HostToKeeper } from './keeper-protocol.js';
import { HOST_TO_KEEPER_TYPES, KEEPER_PROTOCOL } from './protocols.js';

/** How long an idle keeper (no session, no host) waits before it exits. */
export const KEEPER_IDLE_EXIT_MS = 30_000;

/** Why a keeper did not start. */
export type KeeperStart = { readonly kind: 'running'; readonly server: IpcServer; readonly core: KeeperCore } | { readonly kind: 'already-running'; readonly pid: number } | { readonly kind: 'failed'; readonly message: string };

/** Start the keeper on its socket in `runtimeDir`; `log` gets one JSON-able line per event. */
export async function startKeeper(runtimeDir: string, log: (line: Record<string, unknown>) => void, onExit: () => void): Promise<KeeperStart> {
  // The lock lives beside the sockets: the directory is checked (ours, 0700, no symlink) first.
  const dir = await ensureRuntimeDir(runtimeDir);
  if (!dir.ok) return { kind: 'failed', message: dir.error.message };
  const lock = await takeLock(ptyKeeperLockFile(runtimeDir), PROC_IDENTITY);
  if (lock.kind === 'held') return { kind: 'already-running', pid: lock.holder.pid };
  const core = new KeeperCore();
  const links = new Map<number, HostLink>();
  const linkOf = (conn: Connection): HostLink => {
    let link = links.get(conn.id);
    if (!link) {
      link = { send: (m) => conn.send(m) };
      links.set(conn.id, link);
    }
    return link;
  };
  const handlers = Object.fromEntries(
    HOST_TO_KEEPER_TYPES.map((type) => [type, (msg: Message, conn: Connection) => core.handle(linkOf(conn), msg as unknown as HostToKeeper)]),
  );
  let idleTimer: NodeJS.Timeout | null = null;
  const server = await listen(ptyKeeperSocketFile(runtimeDir), {
    protocol: KEEPER_PROTOCOL,
    handlers,
    onConnect: (conn) => {
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = null;
      // The newest host wins: an older connection is a host that died without its socket noticing yet.
      for (const other of server.ok ? server.value.connections() : []) if (other.id !== conn.id) other.close('a newer host connected');
      core.attachHost(linkOf(conn));
      log({ event: 'host-connected', connection: conn.id });
    },
    onClose: (conn, reason) => {
      const link = links.get(conn.id);
      links.delete(conn.id);
      if (link) core.detachHost(link);
      log({ event: 'host-gone', connection: conn.id, reason: reason.kind });
    },
    backpressure: {
      policy: 'notify',
      onBackpressure: (conn) => log({ event: 'host-behind', connection: conn.id }),
      onDrain: () => core.hostDrained(),
    },
    log: (line) => log({ ...line }),
  });
  if (!server.ok) {
    await lock.release();
    return { kind: 'failed', message: server.error.message };
  }
  core.onIdle = () => {
    if (idleTimer) return;
    idleTimer = setTimeout(() => {
      idleTimer = null;
      if (core.hosted || core.running > 0) return;
      log({ event: 'idle-exit' });
      void server.value.close().then(() => lock.release()).then(onExit);
    }, KEEPER_IDLE_EXIT_MS);
    idleTimer.unref();
  };
  core.onIdle();
  const stop = (signal: string) => {
    log({ event: 'stopping', signal });
    core.hangUpAll();
    void server.value.close().then(() => lock.release()).then(onExit);
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  // A hang-up of the terminal that started it must not end the shells it keeps.
  process.on('SIGHUP', () => {});
  log({ event: 'started', pid: process.pid });
  return { kind: 'running', server: server.value, core };
}
