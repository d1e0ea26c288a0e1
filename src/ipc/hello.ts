/**
 * The hello: the first frame each side sends, the one message whose shape
 * never changes, so any two versions can at least tell each other why they
 * cannot talk. Non-goals: negotiating features (capabilities are only listed).
 */
import type { Message } from './frames.js';

/** What a side says about itself: the protocol it speaks, the oldest it still talks to, what it can do. */
export interface ProtocolInfo {
  readonly protocol: number;
  readonly minCompatible: number;
  readonly capabilities: readonly string[];
}

/** The hello frame: `{type:'hello', protocol, minCompatible, capabilities}`, never anything else. */
export interface Hello extends ProtocolInfo {
  readonly type: 'hello';
}

/** Sent instead of going on when the versions cannot talk; the sender then closes. */
export interface Incompatible {
  readonly type: 'incompatible';
  readonly protocol: number;
  readonly minCompatible: number;
  /** One line for a person, from the sender's side. */
  readonly reason: string;
}

/** Message types the IPC layer itself uses; a protocol on top must not reuse them. */
export const IPC_TYPES = { hello: 'hello', incompatible: 'incompatible', ping: 'ping', pong: 'pong' } as const;

/** Our hello frame. */
export function helloOf(info: ProtocolInfo): Hello {
  return { type: 'hello', protocol: info.protocol, minCompatible: info.minCompatible, capabilities: [...info.capabilities] };
}

const isVersion = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The peer's hello, or null when `msg` is not a well-formed one. Extra fields are ignored (a newer peer may add some). */
export function parseHello(msg: Message): Hello | null {
  if (msg.type !== IPC_TYPES.hello || !isVersion(msg.protocol) || !isVersion(msg.minCompatible)) return null;
  const caps = msg.capabilities;
  if (!Array.isArray(caps) || !caps.every((c): c is string => typeof c === 'string')) return null;
  return { type: 'hello', protocol: msg.protocol, minCompatible: msg.minCompatible, capabilities: caps };
}

/** The peer's `incompatible` frame, or null. */
export function parseIncompatible(msg: Message): Incompatible | null {
  if (msg.type !== IPC_TYPES.incompatible) return null;
  return {
    type: 'incompatible',
    protocol: isVersion(msg.protocol) ? msg.protocol : -1,
    minCompatible: isVersion(msg.minCompatible) ? msg.minCompatible : -1,
    reason: typeof msg.reason === 'string' ? msg.reason.slice(0, 500) : 'no reason given',
  };
}

/**
 * Whether we can talk to a peer: null when yes, else the reason (one line).
 * Each side speaks its own `protocol`; the pair works when each one's
 * protocol is at least the other's minCompatible. Pure.
 */
export function incompatibility(ours: ProtocolInfo, theirs: ProtocolInfo): string | null {
  if (theirs.protocol < ours.minCompatible) {
    return `Expected protocol ${ours.minCompatible} or newer, got ${theirs.protocol}: the other side is too old; restart it with this version of tsession`;
  }
  if (theirs.minCompatible > ours.protocol) {
    return `Expected a peer that still talks protocol ${ours.protocol}, got one needing ${theirs.minCompatible} or newer: this tsession is too old; update it`;
  }
  return null;
}

/** The frame telling a peer why we will not talk. */
export function incompatibleOf(ours: ProtocolInfo, reason: string): Incompatible {
  return { type: 'incompatible', protocol: ours.protocol, minCompatible: ours.minCompatible, reason };
}
