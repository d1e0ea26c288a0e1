/**
 * End to end, in a real terminal: the interface runs on a node-pty terminal
 * drawn by @xterm/headless (test/pty/helpers.ts clientTerminal) against a
 * real PTY host and an isolated tmux server, with each renderer (its own
 * painter, and Ink). The detail panel's preview shows a PTY session's
 * screen and a tmux pane's captured screen in the program's colours, read
 * from the terminal's cells; a hostile session's clipboard, title, clear
 * screen and mouse-mode sequences never reach the terminal; `n`'s form
 * creates a session in a directory running a command, and attaches.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IBufferCell } from '@xterm/headless';
import { createTestServer, waitFor, type TestServer } from '../helpers/tmux-server.js';
import { killServer } from '../helpers/teardown.js';
import { clientTerminal, DETACH, ptyWorld, type ClientTerminal, type PtyWorld } from '../pty/helpers.js';
import { requireBuild } from './helpers/tui-pane.js';

let target: TestServer;
let world: PtyWorld;

beforeAll(async () => {
  requireBuild();
  target = createTestServer();
  world = ptyWorld();
  // A tmux pane that printed green text, the command that did it not containing the marker whole.
  target.tmux('new-session', '-d', '-s', 'api', '-x', '100', '-y', '10');
  target.tmux('send-keys', '-t', '=api:', '-l', "printf '\\033[32mTMUX-%s\\033[0m\\n' GREEN");
  target.tmux('send-keys', '-t', '=api:', 'Enter');
  const paint = await world.cli(['new', '-d', 'paint', '--', 'sh', '-c', "printf '\\033[31mRED-CELLS\\033[0m \\033[1;44mBOLD-BLUE\\033[0m \\033[38;5;208mORANGE-256\\033[0m \\033[38;2;10;200;30mTRUE-RGB\\033[0m\\n'; exec cat"]);
  expect(paint.code, paint.stderr).toBe(0);
  // Clipboard (OSC 52), titles, a clear screen (7- and 8-bit CSI), mouse reporting, the alternate screen.
  const hostile = "printf '\\033]52;c;SE9TVElMRS1DTElQ\\007\\033]0;HOSTILE-TITLE\\007\\033]2;HOSTILE-TWO\\033\\\\\\033[2J\\302\\2332J\\033[?1000h\\033[?1049h EVIL-MARK\\n'; exec cat";
  const evil = await world.cli(['new', '-d', 'evil', '--', 'sh', '-c', hostile]);
  expect(evil.code, evil.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await killServer(target);
  await world?.destroy();
});

/** The interface on a real terminal, with every byte it wrote kept. */
function startTui(renderer: 'own' | 'ink'): { tui: ClientTerminal; raw: () => string; titles: string[] } {
  const env = { ...world.env, TSESSION_TUI_REFRESH_MS: '500', ...(renderer === 'ink' ? { TSESSION_TUI_RENDERER: 'ink' } : {}) };
  const tui = clientTerminal({ ...world, env }, ['-L', target.name], { cols: 110, rows: 36 });
  let raw = '';
  tui.proc.onData((d) => (raw += d));
  const titles: string[] = [];
  tui.term.onTitleChange((t) => titles.push(t));
  return { tui, raw: () => raw, titles };
}

/** Move the selection to `name` with j/k. */
async function select(tui: ClientTerminal, name: string): Promise<void> {
  const selectedRow = () => tui.text().split('\n').findIndex((l) => l.startsWith('▶ '));
  for (let i = 0; i < 20; i++) {
    await tui.drawn();
    const lines = tui.text().split('\n');
    if (lines.some((l) => new RegExp(`^▶ ${name}\\s`).test(l))) return;
    const me = selectedRow();
    const there = lines.findIndex((l) => new RegExp(`^  ${name}\\s`).test(l));
    if (me < 0 || there < 0) throw new Error(`Expected ${name} in the list; screen:\n${tui.text()}`);
    tui.type(there > me ? 'j' : 'k');
    await waitFor(async () => (await tui.drawn(), selectedRow() !== me), 10_000, 'the selection to move');
  }
  throw new Error(`Expected to select ${name}; screen:\n${tui.text()}`);
}

/** The cell `dx` cells into the first place `needle` shows (after `after`, when given). */
function cellAt(tui: ClientTerminal, needle: string, dx = 0): IBufferCell {
  const b = tui.term.buffer.active;
  for (let y = 0; y < tui.term.rows; y++) {
    const line = b.getLine(b.viewportY + y);
    const x = line?.translateToString(true).indexOf(needle) ?? -1;
    if (x >= 0) return line!.getCell(x + dx)!;
  }
  throw new Error(`Expected ${needle} on the screen:\n${tui.text()}`);
}

/** Foreground of a cell: [mode, colour] as xterm reports them (mode: 16 or 256 palette, or RGB). */
const fg = (c: IBufferCell) => (c.isFgRGB() ? ['rgb', c.getFgColor()] : c.isFgPalette() ? ['palette', c.getFgColor()] : ['default', 0]);
const bg = (c: IBufferCell) => (c.isBgRGB() ? ['rgb', c.getBgColor()] : c.isBgPalette() ? ['palette', c.getBgColor()] : ['default', 0]);

describe.each(['own', 'ink'] as const)('the preview in colour, %s renderer', (renderer) => {
  it("shows a PTY session's and a tmux pane's screen in their colours, and nothing of a hostile session's sequences reaches the terminal", async () => {
    const { tui, raw, titles } = startTui(renderer);
    try {
      await tui.waitForText(/paint\s+running\s+pty/, 30_000);
      // The tmux session's active pane, green as printed.
      await select(tui, 'api');
      await tui.waitForText(/│ TMUX-GREEN/, 20_000);
      expect(fg(cellAt(tui, '│ TMUX-GREEN', 2))).toEqual(['palette', 2]);

      await select(tui, 'paint');
      await tui.waitForText(/│ RED-CELLS BOLD-BLUE ORANGE-256 TRUE-RGB/, 20_000);
      const red = cellAt(tui, 'RED-CELLS');
      expect([red.getChars(), ...fg(red)]).toEqual(['R', 'palette', 1]);
      const blue = cellAt(tui, 'BOLD-BLUE');
      expect([blue.isBold() !== 0, ...bg(blue)]).toEqual([true, 'palette', 4]);
      expect(fg(cellAt(tui, 'ORANGE-256'))).toEqual(['palette', 208]);
      expect(fg(cellAt(tui, 'TRUE-RGB'))).toEqual(['rgb', (10 << 16) | (200 << 8) | 30]);

      await select(tui, 'evil');
      await tui.waitForText(/│\s+EVIL-MARK/, 20_000);
      // The frame is intact: nothing cleared it, the header is where it was.
      expect(tui.text().split('\n')[0]).toMatch(/^ tsession · tmux -L/);
      const out = raw();
      expect(out).not.toMatch(/\x1b\]/);
      expect(out).not.toContain('\x1b[2J');
      expect(out).not.toContain('\u009b');
      expect(out).not.toContain('\x1b[?1000h');
      expect(out).not.toContain('SE9TVElM');
      expect(titles.filter((t) => /HOSTILE/.test(t))).toEqual([]);
      tui.type('q');
      expect(await tui.exited).toBe(0);
    } finally {
      tui.kill();
    }
  }, 120_000);
});

describe('n: a new PTY session from the form', () => {
  it('says a missing directory under its field, then creates one in the directory given, running the command given, and attaches', async () => {
    const dir = join(world.home, 'proj dir');
    mkdirSync(dir, { recursive: true });
    const { tui } = startTui('own');
    try {
      await tui.waitForText(/paint\s+running\s+pty/, 30_000);
      tui.type('n');
      await tui.waitForText(/New PTY session[\s\S]*▶ Name/, 10_000);
      tui.type('made\t/nonexistent-dir\r');
      await tui.waitForText(/▶ Directory\s+\/nonexistent-dir▏\s*\n\s+✗ no directory \/nonexistent-dir/, 10_000);
      // Ctrl-U clears the field; the command is split into words, its quotes kept from any shell.
      tui.type(`\x15${dir}\tsh -c 'cd .; echo "made in $(pwd)"; echo made-$((40+2)); exec cat'\r`);
      await tui.waitForText(/^made in .*proj dir$/m, 30_000);
      await tui.waitForText(/^made-42$/m, 10_000);
      expect(tui.text()).not.toMatch(/tsession · tmux/);
      tui.type(DETACH);
      await tui.waitForText(/tsession · tmux -L/, 20_000);
      await tui.waitForText(/made\s+running\s+pty/, 20_000);
      tui.type('q');
      expect(await tui.exited).toBe(0);
      // The session drew on the main screen (its history in the terminal's scrollback), cleared on detach: quitting does not leave its last screen under the prompt.
      expect(tui.term.buffer.active.type).toBe('normal');
      expect(tui.text()).not.toMatch(/made-42/);
    } finally {
      tui.kill();
    }
  }, 120_000);
});
