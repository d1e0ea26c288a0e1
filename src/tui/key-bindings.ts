/**
 * Every key of the interface, in one table: which command it runs, in which
 * scope, and what it does in words. The input handler resolves keys only
 * through this table, and the help overlay is generated from it, so the two
 * cannot drift. Non-goals: what a command does (the container decides).
 */
import type { Key } from 'ink';

/** Where a key applies: the main screen, the filter prompt, a dialog, a text prompt, a form, the help overlay, or everywhere. */
export const KEY_SCOPES = ['main', 'filter', 'dialog', 'prompt', 'form', 'help', 'global'] as const;
/** A key scope. */
export type KeyScope = (typeof KEY_SCOPES)[number];

/** One binding. `keys` are normalized names (see keyName); `label` is how help shows them. */
export interface KeyBinding {
  readonly command: string;
  readonly keys: readonly string[];
  readonly label: string;
  readonly description: string;
  readonly scope: KeyScope;
}

/** The table. Order is the help overlay's order. */
export const KEY_BINDINGS = [
  { command: 'up', keys: ['up', 'k'], label: '↑ / k', description: 'move up (in the list, or in the focused panel)', scope: 'main' },
  { command: 'down', keys: ['down', 'j'], label: '↓ / j', description: 'move down', scope: 'main' },
  { command: 'switch-pane', keys: ['tab'], label: 'Tab', description: 'switch focus between the session list and the panel', scope: 'main' },
  { command: 'attach', keys: ['enter'], label: 'Enter', description: 'attach to the session (switch-client inside tmux; a PTY session until Ctrl-\\ detaches); in the timeline: restore from that checkpoint', scope: 'main' },
  { command: 'restore', keys: ['r'], label: 'r', description: 'restore the selected session (from the checkpoint chosen in the timeline); revive a revivable PTY session', scope: 'main' },
  { command: 'restore-as', keys: ['a'], label: 'a', description: 'restore a copy of the selected session under a new name you type (tsession restore --as)', scope: 'main' },
  { command: 'restore-all', keys: ['R'], label: 'R', description: 'restore every crashed session (not those closed on purpose): one question for all of them', scope: 'main' },
  { command: 'save', keys: ['s'], label: 's', description: 'save a checkpoint now', scope: 'main' },
  { command: 'diff', keys: ['d'], label: 'd', description: 'show what restoring would change versus the live session', scope: 'main' },
  { command: 'timeline', keys: ['t'], label: 't', description: "show the session's checkpoints, newest first; pick one to restore from", scope: 'main' },
  { command: 'journal', keys: ['J'], label: 'J', description: 'show the journal: what the watch daemon noticed and did, newest first (Tab, then ↑/↓ moves through it)', scope: 'main' },
  { command: 'copy-id', keys: ['y'], label: 'y', description: 'copy the id of the checkpoint (chosen in the timeline, else the newest) to the clipboard, and show it', scope: 'main' },
  { command: 'unfreeze', keys: ['u'], label: 'u', description: 'unfreeze: show the repair ladder and climb it (asks before destructive steps)', scope: 'main' },
  { command: 'delete-checkpoint', keys: ['x'], label: 'x', description: 'delete the checkpoint chosen in the timeline, or kill a PTY session (asks)', scope: 'main' },
  { command: 'new-pty', keys: ['n'], label: 'n', description: 'create a PTY session (tsession new): its name, and optionally a directory and a command; then attach, or stay here', scope: 'main' },
  { command: 'forget', keys: ['f'], label: 'f', description: 'forget the selected session when it is not running: gone from the list (asks; checkpoints other sessions need are kept)', scope: 'main' },
  { command: 'filter', keys: ['/'], label: '/', description: 'filter sessions by name', scope: 'main' },
  { command: 'help', keys: ['?'], label: '?', description: 'show this help', scope: 'main' },
  { command: 'quit', keys: ['q'], label: 'q', description: 'quit', scope: 'main' },
  { command: 'filter-type', keys: [], label: 'letters', description: 'type to narrow the list', scope: 'filter' },
  { command: 'filter-erase', keys: ['backspace'], label: 'Backspace', description: 'erase the last letter', scope: 'filter' },
  { command: 'filter-apply', keys: ['enter'], label: 'Enter', description: 'keep the filter and return to the list', scope: 'filter' },
  { command: 'filter-clear', keys: ['escape'], label: 'Esc', description: 'clear the filter', scope: 'filter' },
  { command: 'yes', keys: ['y'], label: 'y', description: 'yes, do it', scope: 'dialog' },
  { command: 'skip', keys: ['s'], label: 's', description: 'restore, but only type the listed commands (not run them)', scope: 'dialog' },
  { command: 'no', keys: ['n', 'escape'], label: 'n / Esc', description: 'no, cancel (all of it, for R)', scope: 'dialog' },
  { command: 'prompt-type', keys: [], label: 'letters', description: 'type the name', scope: 'prompt' },
  { command: 'prompt-erase', keys: ['backspace'], label: 'Backspace', description: 'erase the last letter', scope: 'prompt' },
  { command: 'prompt-submit', keys: ['enter'], label: 'Enter', description: 'use this name', scope: 'prompt' },
  { command: 'prompt-cancel', keys: ['escape'], label: 'Esc', description: 'cancel', scope: 'prompt' },
  { command: 'form-type', keys: [], label: 'letters', description: 'type into the field (an empty field takes the default it shows)', scope: 'form' },
  { command: 'form-next', keys: ['tab', 'down'], label: 'Tab / ↓', description: 'next field', scope: 'form' },
  { command: 'form-prev', keys: ['shift+tab', 'up'], label: 'Shift-Tab / ↑', description: 'previous field', scope: 'form' },
  { command: 'form-choose', keys: ['left', 'right', ' '], label: '← / → / Space', description: 'change a choice (attach, or stay here)', scope: 'form' },
  { command: 'form-erase', keys: ['backspace'], label: 'Backspace', description: 'erase the last letter', scope: 'form' },
  { command: 'form-clear', keys: ['ctrl+u'], label: 'Ctrl-U', description: 'clear the field', scope: 'form' },
  { command: 'form-submit', keys: ['enter'], label: 'Enter', description: 'create it (what is wrong is said under its field)', scope: 'form' },
  { command: 'form-cancel', keys: ['escape'], label: 'Esc', description: 'cancel: nothing is created', scope: 'form' },
  { command: 'help-up', keys: ['up', 'k'], label: '↑ / k', description: 'scroll the help up', scope: 'help' },
  { command: 'help-down', keys: ['down', 'j'], label: '↓ / j', description: 'scroll the help down', scope: 'help' },
  { command: 'close-help', keys: ['escape', '?', 'q'], label: 'Esc / ? / q', description: 'close the help', scope: 'help' },
  { command: 'force-quit', keys: ['ctrl+c'], label: 'Ctrl-C', description: 'quit at once, from anywhere', scope: 'global' },
] as const satisfies readonly KeyBinding[];

/** A command name from the table. */
export type Command = (typeof KEY_BINDINGS)[number]['command'];

/** Normalize Ink's (input, key) into a key name: 'up', 'enter', 'ctrl+c', 'R', '/', …; null for none. */
export function keyName(input: string, key: Key): string | null {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.return) return 'enter';
  if (key.escape) return 'escape';
  if (key.tab) return key.shift ? 'shift+tab' : 'tab';
  if (key.backspace || key.delete) return 'backspace';
  if (key.ctrl && input.length === 1) return `ctrl+${input.toLowerCase()}`;
  if (key.meta) return null;
  return input.length === 1 ? input : null;
}

/** The command a key runs in `scope` (global bindings apply in every scope). */
export function commandFor(scope: KeyScope, name: string | null): Command | null {
  if (name === null) return null;
  for (const b of KEY_BINDINGS as readonly KeyBinding[]) {
    if ((b.scope === scope || b.scope === 'global') && b.keys.includes(name)) return b.command as Command;
  }
  return null;
}

/** Bindings of a scope, for the help overlay. */
export const bindingsOf = (scope: KeyScope): readonly KeyBinding[] => (KEY_BINDINGS as readonly KeyBinding[]).filter((b) => b.scope === scope);
