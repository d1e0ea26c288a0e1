/**
 * The hellos of the keeper's and the host's sockets: each its own protocol
 * name in the capabilities, so a client that dials the wrong socket is told
 * at the hello, not by a confused exchange.
 */
import type { ProtocolInfo } from '../ipc/index.js';

/** The keeper ↔ host protocol (keeper-protocol.ts). */
export const KEEPER_PROTOCOL: ProtocolInfo = { protocol: 1, minCompatible: 1, capabilities: ['pty-keeper'] };

/** The host ↔ client protocol (client-protocol.ts). */
export const HOST_PROTOCOL: ProtocolInfo = { protocol: 1, minCompatible: 1, capabilities: ['pty-host'] };

/** The message types of each side, for handler tables. */
export const HOST_TO_KEEPER_TYPES = ['list', 'spawn', 'input', 'resize', 'signal', 'follow', 'release', 'pace'] as const;
export const KEEPER_TO_HOST_TYPES = ['sessions', 'spawned', 'spawn-failed', 'output', 'exit'] as const;
export const CLIENT_TO_HOST_TYPES = ['list', 'new', 'attach', 'input', 'resize', 'detach', 'peek', 'kill'] as const;
export const HOST_TO_CLIENT_TYPES = ['sessions', 'created', 'attached', 'history', 'output', 'redraw', 'exited', 'peeked', 'killed', 'error'] as const;
