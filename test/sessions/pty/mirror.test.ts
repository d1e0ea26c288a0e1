/**
 * The headless mirror: it answers terminal queries (DA, CPR, DSR) as a
 * terminal would, its serialized screen paints the same cells on a blank
 * terminal, its scrollback is capped, and a mirror that rested (let its
 * terminal go, kept the serialization) and woke is the same mirror.
 */
import xterm from '@xterm/headless';
import { describe, expect, it } from 'vitest';
import { ScreenMirror } from '../../../sessions/pty/mirror.js';
import { snapshot } from '../../pty/helpers.js';

const paint = async (data: string, cols = 40, rows = 10) => {
  const t = new xterm.Terminal({ cols, rows, allowProposedApi: true });
  await new Promise<void>((r) => t.write(data, r));
  return t;
};

describe('ScreenMirror', () => {
  it('answers DA, CPR and DSR queries', async () => {
    const m = new ScreenMirror({ cols: 40, rows: 10 });
    const replies: string[] = [];
    m.onReply((r) => replies.push(r));
    m.write('ab\x1b[c\x1b[6n\x1b[5n');
    await m.settled();
    expect(replies.join('')).toMatch(/^\x1b\[\?[\d;]+c\x1b\[1;3R\x1b\[0n$/);
  });

  it('its serialized screen paints the same cells, colours and cursor', async () => {
    const m = new ScreenMirror({ cols: 40, rows: 10 });
    const bytes = '\x1b[1;31mred\x1b[0m plain\r\n\x1b[44mblue bg\x1b[0m\r\n\x1b[3;5Hat 3,5';
    m.write(bytes);
    await m.settled();
    const direct = await paint(bytes);
    const replayed = await paint(m.serialize());
    expect(snapshot(replayed)).toEqual(snapshot(direct));
    expect(m.screenLines().slice(0, 3)).toEqual(['red plain', 'blue bg', '    at 3,5']);
  });

  it('keeps the alternate screen and what is under it', async () => {
    const m = new ScreenMirror({ cols: 40, rows: 10 });
    const bytes = 'shell line\r\n\x1b[?1049h\x1b[Hfull screen app';
    m.write(bytes);
    await m.settled();
    expect(m.facts().alternateScreen).toBe(true);
    expect(snapshot(await paint(m.serialize()))).toEqual(snapshot(await paint(bytes)));
  });

  it('caps scrollback at its limit', async () => {
    const m = new ScreenMirror({ cols: 20, rows: 5, scrollback: 100 });
    for (let i = 0; i < 1000; i++) m.write(`line ${i}\r\n`);
    await m.settled();
    expect(m.lineCount).toBe(105);
    expect(m.allLines().at(-1)).toBe('line 999');
  });

  it('keeps a title without its control bytes', async () => {
    const m = new ScreenMirror();
    m.write('\x1b]2;my\x07title\x1b\\');
    m.write('\x1b]2;ok title\x07');
    await m.settled();
    expect(m.facts().title).toBe('ok title');
  });

  describe('rest', () => {
    // A prompt with colours and a title, 300 lines of history, the cursor mid-line.
    const before = Array.from({ length: 300 }, (_, i) => `\x1b[3${i % 8}mline ${i}\x1b[0m\r\n`).join('') + '\x1b]2;the title\x07\x1b[1;32muser@host\x1b[0m:~$ ech';
    const after = 'o done\r\n\x1b[44mblue\x1b[0m\r\nuser@host:~$ ';

    it('lets the terminal go, answers facts and its serialization while resting, and goes on where it was', async () => {
      const m = new ScreenMirror({ cols: 40, rows: 10, scrollback: 1000 });
      const control = new ScreenMirror({ cols: 40, rows: 10, scrollback: 1000 });
      m.write(before);
      control.write(before);
      await Promise.all([m.settled(), control.settled()]);
      const serialized = m.serialize();
      const facts = m.facts();
      expect(await m.rest()).toBe(true);
      expect(m.resting).toBe(true);
      expect(m.facts()).toEqual(facts);
      expect(m.facts().title).toBe('the title');
      expect(m.lineCount).toBe(control.lineCount);
      expect(m.serialize()).toBe(serialized);
      // Output wakes it: the result is what a mirror that never rested shows, cell by cell, with its history.
      m.write(after);
      control.write(after);
      expect(m.resting).toBe(false);
      const [woken, never] = await Promise.all([m.at(() => m.serialize()), control.at(() => control.serialize())]);
      expect(snapshot(await paint(woken, 40, 10))).toEqual(snapshot(await paint(never, 40, 10)));
      expect(woken).toBe(never);
      expect(await m.at(() => m.allLines())).toEqual(control.allLines());
    });

    it('answers queries again once woken, and takes a resize after its screen', async () => {
      const m = new ScreenMirror({ cols: 40, rows: 10 });
      const control = new ScreenMirror({ cols: 40, rows: 10 });
      m.write(before);
      control.write(before);
      expect(await m.rest()).toBe(true);
      m.resize(30, 8);
      control.resize(30, 8);
      const replies: string[] = [];
      m.onReply((r) => replies.push(r));
      m.write(`${after}\x1b[6n`);
      control.write(`${after}\x1b[6n`);
      const [woken, never] = await Promise.all([m.at(() => m.serialize()), control.at(() => control.serialize())]);
      expect(woken).toBe(never);
      expect(m.facts()).toMatchObject({ cols: 30, rows: 8 });
      expect(replies).toEqual([`\x1b[${control.facts().cursor.y + 1};${control.facts().cursor.x + 1}R`]);
    });

    it('does not rest on the alternate screen, nor while output is still arriving', async () => {
      const full = new ScreenMirror({ cols: 40, rows: 10 });
      full.write('shell\r\n\x1b[?1049h\x1b[Hfull screen app');
      expect(await full.rest()).toBe(false);
      expect(full.resting).toBe(false);
      const busy = new ScreenMirror({ cols: 40, rows: 10 });
      busy.write('first');
      const resting = busy.rest();
      busy.write(' second');
      expect(await resting).toBe(false);
      expect(await busy.at(() => busy.screenLines()[0])).toBe('first second');
    });

    it('keeps only its serialization while resting: ~30 bytes a line for 1,000 lines', async () => {
      const m = new ScreenMirror({ cols: 80, rows: 24 });
      for (let i = 0; i < 1000; i++) m.write(`idle line with some text ${i}\r\n`);
      await m.settled();
      const awake = m.serialize();
      expect(await m.rest()).toBe(true);
      // What it keeps is that one string (~30 bytes a line); awake, xterm holds 12 bytes a cell: 80 × 1,024 × 12.
      expect(m.serialize()).toBe(awake);
      expect(awake.length).toBeLessThan(40_000);
      expect(m.lineCount).toBe(1001);
    });
  });
});
