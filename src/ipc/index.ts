/**
 * tsession's IPC layer: length-prefixed msgpack frames over a Unix socket in
 * a checked 0700 runtime dir, a hello that never changes shape, heartbeats,
 * reconnects, per-connection error containment and bounded queues. Used by
 * the PTY host and the watch daemon's control socket, each with its own
 * message types on top. This file is only the export list.
 *
 * @example
 * ```ts
 * import { ptyHostSocketFile } from '../../checkpoints/paths.js';
 * import { connect, listen } from '../ipc/index.js';
 *
 * const protocol = { protocol: 1, minCompatible: 1, capabilities: ['echo'] };
 * const path = ptyHostSocketFile(paths.runtimeDir);
 *
 * const server = await listen(path, {
 *   protocol,
 *   handlers: { echo: (msg, conn) => void conn.send({ type: 'echoed', text: msg.text }) },
 *   onUnknown: () => {}, // a newer client's message: ignored
 *   backpressure: { policy: 'notify', onBackpressure: (c) => markStale(c), onDrain: (c) => sendFreshScreen(c) },
 *   log: (line) => journal.append(line),
 * });
 * if (!server.ok) throw new UserError(server.error.message); // kind: symlink, foreign-owner, already-running, …
 *
 * const client = connect(path, {
 *   protocol,
 *   handlers: { echoed: (msg) => show(msg.text) },
 *   onState: (state) => status(state), // 'reconnecting' → "reconnecting…", 'not-answering' → "host not answering"
 * });
 * const hello = await client.ready; // { ok: true, value: the server's hello } or { ok: false, error }
 * client.send({ type: 'echo', text: 'hi' });
 * client.close();
 * await server.value.close();
 * ```
 */
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { connect, type ClientHandler, type ClientOptions, type ClientState, type IpcClient, type StateDetail } from './client.js';
export {
  DEFAULT_MAX_QUEUED_BYTES,
  MIN_MAX_QUEUED_BYTES,
  type CloseReason,
  type CloseReasonKind,
  type FramedSocketOptions,
} from './connection.js';
export { ipcError, type IpcError, type IpcErrorKind, type RuntimeDirErrorKind } from './errors.js';
export { decodeMessage, encodeFrame, MESSAGE_LIMITS, type Decoded, type Malformed, type Message, type Outgoing } from './frames.js';
export { CHECKS_PER_INTERVAL, DEFAULT_HEARTBEAT, Heartbeat, type CheckVerdict, type HeartbeatOptions } from './heartbeat.js';
export {
  helloOf,
  incompatibility,
  IPC_TYPES,
  parseHello,
  type Hello,
  type Incompatible,
  type ProtocolInfo,
} from './hello.js';
export { checkPathLength, checkRuntimeDir, currentUid, ensureRuntimeDir, judgeRuntimeDir, type DirFacts } from './runtime-dir.js';
export {
  DEFAULT_SERVER_LIMITS,
  listen,
  type BackpressurePolicy,
  type Connection,
  type IpcServer,
  type ServerHandler,
  type ServerLimits,
  type ServerLogLine,
  type ServerOptions,
} from './server.js';
