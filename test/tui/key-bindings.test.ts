/** The key-binding table: complete, described, no clashes, and every command wired. */
import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { createActions } from '../../src/tui/actions.js';
import { commandFor, KEY_BINDINGS, KEY_SCOPES, keyName, type KeyBinding } from '../../src/tui/key-bindings.js';
import { initialState } from '../../src/tui/state.js';
import { helpLines } from '../../src/tui/view/chrome.js';
import { plain } from '../../src/tui/view/line.js';
import { fakeServices } from './helpers/fake-services.js';

const table = KEY_BINDINGS as readonly KeyBinding[];
const noKey: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false,
  capsLock: false, numLock: false,
} as Key;

describe('KEY_BINDINGS', () => {
  it('every binding has a command, a label and a description that says something', () => {
    for (const b of table) {
      expect(b.command, JSON.stringify(b)).toMatch(/^[a-z-]+$/);
      expect(b.label.trim(), b.command).not.toBe('');
      expect(b.description.length, b.command).toBeGreaterThan(3);
      expect(KEY_SCOPES).toContain(b.scope);
    }
  });

  it('no key is bound twice in a scope, nor clashes with a global key', () => {
    const seen = new Map<string, string>();
    const globals = new Set(table.filter((b) => b.scope === 'global').flatMap((b) => b.keys));
    for (const b of table) {
      for (const k of b.keys) {
        const id = `${b.scope}:${k}`;
        expect(seen.get(id), `${k} in ${b.scope}: ${seen.get(id)} and ${b.command}`).toBeUndefined();
        seen.set(id, b.command);
        if (b.scope !== 'global') expect(globals.has(k), `${k} of ${b.command} clashes with a global key`).toBe(false);
      }
    }
  });

  it('commands are unique', () => {
    const names = table.map((b) => b.command);
    expect(new Set(names).size).toBe(names.length);
  });

  it('has every key the issue names', () => {
    const main = (k: string) => commandFor('main', k);
    expect([main('up'), main('k'), main('down'), main('j')]).toEqual(['up', 'up', 'down', 'down']);
    expect(main('tab')).toBe('switch-pane');
    expect(main('enter')).toBe('attach');
    expect([main('r'), main('R'), main('s'), main('d'), main('t'), main('u'), main('x'), main('/'), main('?'), main('q'), main('ctrl+c')]).toEqual([
      'restore', 'restore-all', 'save', 'diff', 'timeline', 'unfreeze', 'delete-checkpoint', 'filter', 'help', 'quit', 'force-quit',
    ]);
  });

  it('every main-scope command has an action', () => {
    const actions = createActions({
      services: fakeServices(),
      dispatch: () => undefined,
      getState: () => initialState(),
      ask: async () => 'no',
      askText: async () => null,
      askForm: async () => false,
      copy: () => false,
      refreshNow: () => undefined,
      pauseRefresh: () => undefined,
      attach: () => undefined,
      quit: () => undefined,
      now: () => 0,
    });
    for (const b of table.filter((x) => x.scope === 'main' || x.scope === 'global')) expect(actions, b.command).toHaveProperty(b.command);
  });

  it('the help overlay lists every binding with its description', () => {
    const help = helpLines(200).map(plain).join('\n');
    for (const b of table) expect(help, b.command).toContain(b.description);
  });
});

describe('keyName', () => {
  it('normalizes Ink keys', () => {
    expect(keyName('', { ...noKey, upArrow: true })).toBe('up');
    expect(keyName('', { ...noKey, return: true })).toBe('enter');
    expect(keyName('', { ...noKey, escape: true })).toBe('escape');
    expect(keyName('', { ...noKey, tab: true })).toBe('tab');
    expect(keyName('c', { ...noKey, ctrl: true })).toBe('ctrl+c');
    expect(keyName('R', noKey)).toBe('R');
    expect(keyName('ab', noKey)).toBeNull();
  });

  it('resolves per scope, globals everywhere', () => {
    expect(commandFor('dialog', 's')).toBe('skip');
    expect(commandFor('main', 's')).toBe('save');
    expect(commandFor('help', 'ctrl+c')).toBe('force-quit');
    expect(commandFor('filter', 'q')).toBeNull();
  });
});
