/**
 * tmux control-mode notifications: the table of known `%name` lines and their
 * fields, and turning one line's fields into a typed event. Not line splitting
 * or reply tracking (control-mode.ts does those).
 */
import type { ControlEvent } from './control-events.js';
import { parseNumber, tokenEnd } from './byte-fields.js';
import { decodeUtf8 } from './utf8.js';

/** How one field is read: an id with its sigil, a token, or the rest of the line. */
type FieldKind = 'session' | 'window' | 'pane' | 'word' | 'optional-word' | 'rest' | 'optional-rest';

/**
 * Notifications of tmux 3.3a (control-notify.c, control.c) and their fields,
 * in wire order: `%<name> <field> <field> …`, single spaces; a `rest` field is
 * the remainder of the line (names may hold spaces). Anything else is a
 * generic `notification` event.
 */
export const CONTROL_NOTIFICATIONS = {
  'sessions-changed': [],
  'session-changed': [['session', 'session'], ['name', 'rest']],
  'session-renamed': [['session', 'session'], ['name', 'rest']],
  'client-session-changed': [['client', 'word'], ['session', 'session'], ['name', 'rest']],
  'client-detached': [['client', 'rest']],
  'session-window-changed': [['session', 'session'], ['window', 'window']],
  'window-add': [['window', 'window']],
  'window-close': [['window', 'window']],
  'unlinked-window-add': [['window', 'window']],
  'unlinked-window-close': [['window', 'window']],
  'window-renamed': [['window', 'window'], ['name', 'rest']],
  'unlinked-window-renamed': [['window', 'window'], ['name', 'rest']],
  'window-pane-changed': [['window', 'window'], ['pane', 'pane']],
  'layout-change': [['window', 'window'], ['layout', 'word'], ['visibleLayout', 'optional-word'], ['flags', 'optional-word']],
  'pane-mode-changed': [['pane', 'pane']],
  'pause': [['pane', 'pane']],
  'continue': [['pane', 'pane']],
  'paste-buffer-changed': [['buffer', 'rest']],
  'paste-buffer-deleted': [['buffer', 'rest']],
  'exit': [['reason', 'optional-rest']],
} as const satisfies Record<string, readonly (readonly [string, FieldKind])[]>;

const SIGILS = { session: 0x24, window: 0x40, pane: 0x25 } as const; // $ @ %

/** Name of a notification with a typed event. */
export type ControlNotificationName = keyof typeof CONTROL_NOTIFICATIONS;

/** Whether `name` (without the '%') is a notification with a typed event. */
export function isKnownNotification(name: string): name is ControlNotificationName {
  return Object.hasOwn(CONTROL_NOTIFICATIONS, name);
}

/**
 * The typed event for notification `name` from its fields in `src[p, e)`
 * (after `%name `), or undefined when they do not fit its table entry.
 */
export function parseNotification(
  name: ControlNotificationName,
  src: Uint8Array,
  p: number,
  e: number,
): ControlEvent | undefined {
  return parseFields(name, CONTROL_NOTIFICATIONS[name], src, p, e);
}

/** Build the event for `spec` from the fields starting at `p`, or undefined when they do not fit. */
function parseFields(
  name: string,
  spec: readonly (readonly [string, FieldKind])[],
  src: Uint8Array,
  p: number,
  e: number,
): ControlEvent | undefined {
  const event: Record<string, unknown> = { type: name };
  for (const [field, kind] of spec) {
    if (kind === 'rest' || kind === 'optional-rest') {
      const present = p < e || (p === e && kind === 'rest');
      event[field] = present ? decodeUtf8(src, p, e) : kind === 'rest' ? '' : null;
      p = e + 1;
      continue;
    }
    if (p > e) {
      if (kind !== 'optional-word') return undefined;
      event[field] = null;
      continue;
    }
    const t = tokenEnd(src, p, e);
    if (kind !== 'word' && kind !== 'optional-word') {
      if (src[p] !== SIGILS[kind] || parseNumber(src, p + 1, t) < 0) return undefined;
    } else if (kind === 'word' && t === p) return undefined;
    event[field] = decodeUtf8(src, p, t);
    p = t + 1;
  }
  // Fields past the last one we know: a different line (inside a reply) or a newer tmux.
  if (p <= e) return undefined;
  return event as unknown as ControlEvent;
}
