/**
 * The interface's own terminal I/O (the default renderer, no Ink): bytes
 * split into keys, escape sequences whole even across reads; frames painted
 * into an @xterm/headless terminal as the rows that changed; a paste
 * handled key by key; a resize repainting everything.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createController } from '../../src/tui/controller.js';
import { createKeyReader, splitKeys } from '../../src/tui/keys.js';
import { paintScreen, readKeys } from '../../src/tui/terminal-io.js';
import { fakeServices, NOW } from './helpers/fake-services.js';
import { PALETTE, xtermScreen } from './helpers/xterm-screen.js';

describe('keys from bytes', () => {
  it('splits a read into keys: letters, Enter, Backspace, Tab, Ctrl, arrows, Page Down, Shift-Tab', () => {
    expect(splitKeys('/ab\r\x7f\t\x03\x1b[A\x1bOB\x1b[6~\x1b[Z\x1b[1;5C').map((k) => k.name)).toEqual([
      '/', 'a', 'b', 'enter', 'backspace', 'tab', 'ctrl+c', 'up', 'down', 'pagedown', 'shift+tab', 'right',
    ]);
    // Only printable keys type text; a lone ESC at the end of a complete chunk is Esc.
    expect(splitKeys('x\r\x1b').map((k) => [k.name, k.text])).toEqual([['x', 'x'], ['enter', ''], ['escape', '']]);
    expect(splitKeys('é漢').map((k) => k.text)).toEqual(['é', '漢']);
    // C1 controls (U+009B is CSI on some terminals) type nothing.
    expect(splitKeys('\u009b').map((k) => [k.name, k.text])).toEqual([[null, '']]);
  });

  it('keeps a sequence split across reads whole; a held ESC with nothing after it is Esc', () => {
    const r = createKeyReader();
    expect(r.push('j\x1b')).toEqual([{ name: 'j', text: 'j' }]);
    expect(r.pending).toBe(true);
    expect(r.push('[B').map((k) => k.name)).toEqual(['down']);
    expect(r.push('\x1b[').map((k) => k.name)).toEqual([]);
    expect(r.flush().map((k) => k.name)).toEqual(['escape', '[']);
    expect(r.pending).toBe(false);
  });
});

const stops: (() => void)[] = [];
afterEach(() => {
  for (const s of stops.splice(0)) s();
});

/** The controller drawn by the own painter into a headless terminal, keys through the own reader. */
function start(columns = 100, rows = 30) {
  const screen = xtermScreen(columns, rows);
  const services = fakeServices();
  const controller = createController({ services, initial: services.current, refreshMs: 60_000, now: () => NOW, onAttach: () => {}, onQuit: () => {} });
  const writes: string[] = [];
  const write = screen.stdout.write.bind(screen.stdout);
  screen.stdout.write = (d: string | Uint8Array, cb?: () => void) => {
    writes.push(String(d));
    return write(d, cb);
  };
  const painter = paintScreen(controller, screen.stdout as unknown as NodeJS.WriteStream, false);
  const keys = readKeys(controller, screen.stdin as unknown as NodeJS.ReadStream);
  stops.push(() => painter.stop(), () => keys.stop(), () => controller.stop());
  return { screen, services, controller, writes };
}

describe('the own painter', () => {
  it('paints the whole screen, then only the rows a key changed', async () => {
    const { screen, writes } = start();
    await screen.waitFor(/▶ api[\s\S]*socket \/tmp\/tmux-0\/test/);
    const before = writes.length;
    screen.stdin.type('j');
    await screen.waitFor(/▶ web/);
    const repaint = writes.slice(before).join('');
    // Two list rows and the detail panel change; the header and the status lines do not.
    expect(repaint).not.toContain('tsession · tmux');
    expect(repaint).not.toContain('socket /tmp/tmux-0/test');
    expect(screen.row(2)).toMatch(/^ {2}api\s+✓ healthy/);
  });

  it('a paste of "/db⏎d" in one read: filter, Enter, diff', async () => {
    const { screen } = start();
    await screen.waitFor(/▶ api/);
    screen.stdin.type('/db\rd');
    const text = await screen.waitFor(/What restoring db would change/);
    expect(text).toMatch(/\/ db\s+\(filtered: \/ edits\)/);
    expect(text).toMatch(/1 of 5 sessions/);
  });

  it('an arrow split across two reads moves once', async () => {
    const { screen } = start();
    await screen.waitFor(/▶ api/);
    screen.stdin.type('\x1b');
    screen.stdin.type('[B');
    await screen.waitFor(/▶ web/);
    expect(screen.text()).not.toMatch(/does nothing here/);
  });

  it('a resize repaints everything at the new size; too small says so, wrapped', async () => {
    const { screen } = start(100, 30);
    await screen.waitFor(/▶ api/);
    screen.resize(50, 10);
    const small = await screen.waitFor(/needs a terminal at least 60/);
    for (const line of small.split('\n')) expect(line.length).toBeLessThanOrEqual(50);
    expect(small).toMatch(/this one is 50×10/);
    screen.resize(90, 24);
    await screen.waitFor(/▶ api[\s\S]*socket/);
    expect(screen.text()).not.toMatch(/needs a terminal/);
  });
});

describe('the timeline, painted', () => {
  it('shows each checkpoint by time, age and cause; one that looks wrong is marked in red', async () => {
    const screen = xtermScreen(120, 30);
    const services = fakeServices({
      async timeline(_session, entries) {
        return entries.map((e, i) => ({
          id: e.id,
          createdAt: e.createdAt,
          cause: i === 0 ? ('after-restore' as const) : ('interval' as const),
          windows: e.valid ? 2 : null,
          panes: e.valid ? (i === 0 ? 1 : 3) : null,
          programs: i === 0 ? [] : ['vim'],
          changes: i === 0 ? [{ kind: 'program' as const, text: 'vim → shell', loss: true }] : null,
          suspect: i === 0 ? 'fewer panes (1) than the checkpoint before it' : null,
        }));
      },
    });
    const controller = createController({ services, initial: services.current, initialSelected: 'api', refreshMs: 60_000, now: () => NOW, onAttach: () => {}, onQuit: () => {} });
    const painter = paintScreen(controller, screen.stdout as unknown as NodeJS.WriteStream, true);
    const keys = readKeys(controller, screen.stdin as unknown as NodeJS.ReadStream);
    stops.push(() => painter.stop(), () => keys.stop(), () => controller.stop());
    screen.stdin.type('t');
    const text = await screen.waitFor(/after a restore/);
    expect(text).toMatch(/▶ (?:\d\d-\d\d )?\d\d:55:00\s+5m ago\s+after a restore\s+1 pane\s+shells\s+vim → shell\s*\n\s+⚠ fewer panes \(1\) than the checkpoint before it/);
    expect(text).toMatch(/(?:\d\d-\d\d )?\d\d:00:00\s+1h ago\s+interval\s+3 panes\s+vim\s+\(oldest\)/);
    const warn = screen.find('⚠ fewer panes')!;
    expect(screen.colorAt(warn.x, warn.y)).toBe(PALETTE.red);
    const loss = screen.find('vim → shell')!;
    expect(screen.colorAt(loss.x, loss.y)).toBe(PALETTE.yellow);
  });
});
