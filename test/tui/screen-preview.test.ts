/**
 * The detail panel's screen preview in colour, without a host: a tmux
 * capture line's SGR read into styled segments (everything else dropped);
 * a PTY session's screen made by the host's own mirror (sessions/pty/
 * mirror.ts, serialize as `peek --ansi`) replayed by screen-cells.ts into
 * cells; the segments written as ANSI holding no sequence but our own SGR;
 * and the preview painted by the interface's own painter into a headless
 * terminal with the colours the program chose. The header's PTY counts and
 * the new-session form's word splitting are here too.
 */
import { describe, expect, it } from 'vitest';
import { ScreenMirror } from '../../sessions/pty/mirror.js';
import { createController } from '../../src/tui/controller.js';
import { readNewPtyForm, resolveDirectory, splitWords } from '../../src/tui/new-pty-form.js';
import { screenCells } from '../../src/tui/screen-cells.js';
import { initialState } from '../../src/tui/state.js';
import { paintScreen } from '../../src/tui/terminal-io.js';
import { plain, toAnsi, type Line, type Seg } from '../../src/tui/view/line.js';
import { buildScreen, screenLines } from '../../src/tui/view/screen.js';
import { sgrLine } from '../../src/tui/view/sgr-line.js';
import { textWidth } from '../../src/tui/view/text.js';
import { fakeServices, NOW, sampleWithPty } from './helpers/fake-services.js';
import { xtermScreen } from './helpers/xterm-screen.js';

/** The segment holding `text`. */
const segOf = (line: readonly Seg[], text: string): Seg => {
  const s = line.find((x) => x.text.includes(text));
  if (!s) throw new Error(`Expected a segment with ${JSON.stringify(text)} in ${JSON.stringify(line)}`);
  return s;
};

/** Output a hostile program might print: clipboard, title, clear screen, C1 CSI, a DCS, a query. */
const HOSTILE = '\x1b]52;c;SE9TVElMRS1DTElQ\x07\x1b]0;HOSTILE-TITLE\x07\x1b]2;HOSTILE-TITLE2\x1b\\\x1b[2J\u009b2J\x1bP+q544e\x1b\\\x1b[c\x1b[6n';

/** Every escape sequence in `ansi` is an SGR (ESC [ digits ; m). */
const onlySgr = (ansi: string) => ansi.replace(/\x1b\[[0-9;]*m/g, '').search(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/) < 0;

describe('a tmux capture line (capture-pane -e) as styled segments', () => {
  it('reads the 16 colours, 256 and 24-bit colours in both forms, and attributes with their resets', () => {
    const line = sgrLine('\x1b[31mred\x1b[0m \x1b[1;44mboldblue\x1b[22;49m plain \x1b[38;5;208morange\x1b[39m \x1b[38;2;10;200;30mtrue\x1b[0m \x1b[48:2::1:2:3mcolon\x1b[0m \x1b[7;4minv\x1b[27;24m \x1b[95mbright');
    expect(segOf(line, 'red').color).toEqual({ kind: 'palette', index: 1 });
    expect(segOf(line, 'boldblue')).toMatchObject({ bold: true, bg: { kind: 'palette', index: 4 } });
    expect(segOf(line, 'plain')).toEqual({ text: ' plain ' });
    expect(segOf(line, 'orange').color).toEqual({ kind: 'palette', index: 208 });
    expect(segOf(line, 'true').color).toEqual({ kind: 'rgb', r: 10, g: 200, b: 30 });
    expect(segOf(line, 'colon').bg).toEqual({ kind: 'rgb', r: 1, g: 2, b: 3 });
    expect(segOf(line, 'inv')).toMatchObject({ inverse: true, underline: true });
    expect(segOf(line, 'bright').color).toEqual({ kind: 'palette', index: 13 });
    expect(plain(line)).toBe('red boldblue plain orange true colon inv bright');
  });

  it('drops every other sequence and control character: only the text is left', () => {
    const line = sgrLine(`a${HOSTILE}b\x1b]8;;https://x.example\x1b\\link\x1b]8;;\x1b\\\tc\x07\x1b`);
    expect(plain(line)).toBe('a2Jblink c');
    expect(onlySgr(toAnsi(line, true))).toBe(true);
  });

  it('as ANSI under NO_COLOR: no colour at all, the attributes kept', () => {
    const ansi = toAnsi(sgrLine('\x1b[1;31;44mA\x1b[0m \x1b[7;38;2;1;2;3mB\x1b[0m \x1b[38;5;200;4mC'), false);
    expect(ansi).not.toMatch(/\x1b\[(3|4|9|10)\d/);
    expect(ansi).toContain('\x1b[1mA');
    expect(ansi).toContain('\x1b[7mB');
    expect(ansi).toContain('\x1b[4mC');
  });

  it('a malformed extended colour changes nothing and never throws', () => {
    for (const bad of ['\x1b[38;5m', '\x1b[38;2;1m', '\x1b[38:9m', '\x1b[38;2;999;-1;abcm', '\x1b[', '\x1b[38']) {
      expect(() => sgrLine(`${bad}x`)).not.toThrow();
    }
    expect(sgrLine('\x1b[38;2;999;300;7mx')[0]!.color).toEqual({ kind: 'rgb', r: 255, g: 255, b: 7 });
  });
});

describe('a PTY session screen replayed from the host mirror into cells', () => {
  /** What the host sends for `peek --ansi` after the program wrote `output`. */
  async function serialized(output: string, cols = 60, rows = 8): Promise<string> {
    const mirror = new ScreenMirror({ cols, rows, scrollback: 100 });
    try {
      mirror.write(output);
      return await mirror.at(() => mirror.serialize({ scrollback: 0 }));
    } finally {
      mirror.dispose();
    }
  }

  it('keeps colours (16, 256, 24-bit, background) and attributes of each cell', async () => {
    const text = await serialized('\x1b[31mRED\x1b[0m \x1b[1;44mBOLDBLUE\x1b[0m\r\n\x1b[38;5;208mORANGE\x1b[0m \x1b[38;2;10;200;30mTRUE\x1b[0m \x1b[7mINV\x1b[0m 日本 end\r\n');
    const lines = await screenCells(text, 60, 8);
    expect(lines.map(plain).slice(0, 2)).toEqual(['RED BOLDBLUE', 'ORANGE TRUE INV 日本 end']);
    expect(segOf(lines[0]!, 'RED').color).toEqual({ kind: 'palette', index: 1 });
    expect(segOf(lines[0]!, 'BOLDBLUE')).toMatchObject({ bold: true, bg: { kind: 'palette', index: 4 } });
    expect(segOf(lines[1]!, 'ORANGE').color).toEqual({ kind: 'palette', index: 208 });
    expect(segOf(lines[1]!, 'TRUE').color).toEqual({ kind: 'rgb', r: 10, g: 200, b: 30 });
    expect(segOf(lines[1]!, 'INV').inverse).toBe(true);
  });

  it('a character xterm and the frame would count in different widths is shown as that many ?, so the row keeps its width', async () => {
    // U+0E31 (Thai MAI HAN-AKAT) combines: xterm puts it in the cell of ก (width 1); the frame's table counts it as one more.
    const lines = await screenCells(await serialized('a\u0e01\u0e31b 日本'), 60, 8);
    expect(plain(lines[0]!)).toBe('a?b 日本');
    expect(textWidth(plain(lines[0]!))).toBe(8);
  });

  it('shows the alternate screen a full-screen program drew, not the shell under it', async () => {
    const text = await serialized('shell prompt\r\n\x1b[?1049h\x1b[H\x1b[42mEDITOR\x1b[0m');
    const lines = await screenCells(text, 60, 8);
    expect(plain(lines[0]!)).toBe('EDITOR');
    expect(lines.map(plain).join('\n')).not.toContain('shell prompt');
  });

  it("a hostile program's sequences act on the private terminal only: the lines hold its text, ANSI of them only our SGR", async () => {
    const text = await serialized(`before${HOSTILE}\x1b[H\x1b[31mafter\x1b[0m`);
    const lines = await screenCells(text, 60, 8);
    const all = lines.map(plain).join('\n');
    expect(all).toContain('after');
    expect(all).not.toMatch(/HOSTILE|SE9TVElM/);
    expect(onlySgr(lines.map((l) => toAnsi(l, true)).join('\n'))).toBe(true);
  });

  it('replays one at a time through one terminal of each size asked for', async () => {
    const [a, b] = await Promise.all([screenCells(await serialized('A'.repeat(70), 80, 4), 80, 4), screenCells(await serialized('B'.repeat(30), 20, 4), 20, 4)]);
    expect(plain(a[0]!)).toBe('A'.repeat(70));
    expect([plain(b[0]!), plain(b[1]!)]).toEqual(['B'.repeat(20), 'B'.repeat(10)]);
  });
});

describe('the preview painted by the own painter', () => {
  it('the panel shows the cells in the colours the program chose, behind the rule', async () => {
    const services = fakeServices({}, sampleWithPty());
    const controller = createController({ services, initial: services.current, initialSelected: 'pty:shell', refreshMs: 60_000, now: () => NOW, onAttach: () => undefined, onQuit: () => undefined });
    const screen = xtermScreen(100, 30);
    const painter = paintScreen(controller, screen.stdout as unknown as NodeJS.WriteStream, true);
    controller.start();
    // A selection that moved there, as a person's would: its preview is read.
    controller.press({ name: 'up', text: '' });
    controller.press({ name: 'down', text: '' });
    try {
      await screen.waitFor(/│ shell\$ echo hello\s*\n\s*│ hello/);
      const at = screen.find('│ hello')!;
      const cell = screen.term.buffer.active.getLine(screen.term.buffer.active.baseY + at.y)!.getCell(at.x + 2)!;
      expect([cell.getChars(), cell.isFgPalette() ? cell.getFgColor() : null]).toEqual(['h', 1]);
      const prompt = screen.find('│ shell$')!;
      const p = screen.term.buffer.active.getLine(screen.term.buffer.active.baseY + prompt.y)!.getCell(prompt.x + 2)!;
      expect([p.getChars(), p.isBold() !== 0, p.getFgColor()]).toEqual(['s', true, 4]);
    } finally {
      painter.stop();
      controller.stop();
    }
  });

  it('reads a selected PTY session again while it stays selected, and an unchanged screen repaints nothing', async () => {
    let reads = 0;
    const same: Line[] = [[{ text: 'steady' }]];
    const services = fakeServices({ previewPty: async () => (reads++, same) }, sampleWithPty());
    const controller = createController({ services, initial: services.current, initialSelected: 'pty:shell', refreshMs: 60_000, livePreviewMs: 20, now: () => NOW, onAttach: () => undefined, onQuit: () => undefined });
    let changes = 0;
    controller.start();
    controller.press({ name: 'up', text: '' });
    controller.press({ name: 'down', text: '' });
    await new Promise((r) => setTimeout(r, 20));
    controller.subscribe(() => changes++);
    try {
      await expect.poll(() => reads, { timeout: 5_000 }).toBeGreaterThanOrEqual(4);
      // One change for the preview's arrival; the reads after it found the same screen.
      expect(changes).toBe(1);
      controller.stop();
      const stoppedAt = reads;
      await new Promise((r) => setTimeout(r, 100));
      expect(reads).toBeLessThanOrEqual(stoppedAt + 1);
    } finally {
      controller.stop();
    }
  });
});

describe('a screen taller than the panel', () => {
  it('keeps its bottom rows, where the prompt is, and says how many are above', () => {
    const lines: Line[] = Array.from({ length: 24 }, (_, i) => [{ text: `row ${i + 1}` }]);
    const state = { ...initialState(sampleWithPty(), 'pty:shell'), screenPreview: { key: 'pty:shell', lines, error: null } };
    const text = screenLines(buildScreen(state, fakeServices().info, { columns: 100, rows: 30 }, NOW)).map(plain).join('\n');
    expect(text).toMatch(/ ⋮ \d+ rows above\s*\n │ row \d+/);
    expect(text).toMatch(/│ row 24\s*\n/);
    expect(text).not.toMatch(/│ row 1\s/);
    // The frame is still the terminal's height.
    expect(text.split('\n')).toHaveLength(29);
  });
});

describe("a tmux pane's screen taller than the panel", () => {
  it('keeps its bottom rows too: the newest output and the prompt', () => {
    const lines: Line[] = Array.from({ length: 60 }, (_, i) => [{ text: `line ${i + 1}` }]);
    const state = { ...initialState(sampleWithPty(), 'api'), screenPreview: { key: 'api', pane: 'api:0.0', lines, error: null } };
    const text = screenLines(buildScreen(state, fakeServices().info, { columns: 100, rows: 30 }, NOW)).map(plain).join('\n');
    expect(text).toMatch(/Screen of api:0\.0:/);
    expect(text).toMatch(/ ⋮ \d+ rows above\s*\n │ line \d+/);
    expect(text).toMatch(/│ line 60\s*\n/);
    expect(text.split('\n')).toHaveLength(29);
  });
});

describe('the header counts PTY sessions', () => {
  const header = (filter = '') => plain(screenLines(buildScreen({ ...initialState(sampleWithPty()), filter }, fakeServices().info, { columns: 140, rows: 30 }, NOW))[0]!);

  it('says how many there are and how many are not running, in the words the list uses', () => {
    expect(header()).toMatch(/5 sessions, 1 frozen, 1 crashed, 1 changed · 3 pty, 1 exited, 1 revivable/);
  });

  it('under a filter says how many of them show', () => {
    expect(header('no')).toMatch(/· 1 of 3 pty, 1 revivable/);
  });

  it('with PTY sessions only and no tmux server, mentions tmux once, quietly: no counts, no warning, no socket', () => {
    const snap = sampleWithPty();
    const ptyOnly = { ...snap, report: { ...snap.report, server: { ...snap.report.server, state: 'absent' as const }, sessions: [] }, watcher: null };
    const lines = screenLines(buildScreen(initialState(ptyOnly), fakeServices().info, { columns: 140, rows: 30 }, NOW)).map(plain);
    expect(lines[0]).toMatch(/^ tsession · 3 pty, 1 exited, 1 revivable · no tmux server \(tmux -L test\)\s+\? help $/);
    expect(lines.at(-1)).toMatch(/^ state \/state · updated/);
    expect(lines.filter((l) => l.includes('tmux'))).toEqual([lines[0]]);
  });
});

describe('the new-session form, read', () => {
  it('splits a command like a shell splits words, expanding nothing', () => {
    expect(splitWords(`vim  'my notes.txt' "a \\"b\\" \\$HOME" c\\ d $HOME;rm -rf ~ *`)).toEqual({ ok: true, words: ['vim', 'my notes.txt', 'a "b" $HOME', 'c d', '$HOME;rm', '-rf', '~', '*'] });
    expect(splitWords(`echo ''`)).toEqual({ ok: true, words: ['echo', ''] });
    expect(splitWords(`echo 'x`)).toMatchObject({ ok: false });
    expect(splitWords('echo "x')).toMatchObject({ ok: false });
    expect(splitWords('echo x\\')).toMatchObject({ ok: false });
  });

  it('resolves the directory under home unless it is absolute', () => {
    expect(['', '~', '~/src/a', 'src', '/srv/../etc'].map((d) => resolveDirectory(d, '/home/ann'))).toEqual(['/home/ann', '/home/ann', '/home/ann/src/a', '/home/ann/src', '/etc']);
  });

  it('says which field is wrong', () => {
    const v = (name: string, command = '') => new Map([['name', name], ['cwd', ''], ['command', command], ['after', 'attach']]);
    expect(readNewPtyForm(v('  '), new Set())).toMatchObject({ ok: false, error: { field: 'name' } });
    expect(readNewPtyForm(v('a'), new Set(['a']))).toMatchObject({ ok: false, error: { field: 'name' } });
    expect(readNewPtyForm(v('a', '"x'), new Set())).toMatchObject({ ok: false, error: { field: 'command' } });
    expect(readNewPtyForm(v(' a ', 'top -d 1'), new Set())).toEqual({ ok: true, request: { name: 'a', cwd: null, argv: ['top', '-d', '1'] }, detached: false });
  });
});
