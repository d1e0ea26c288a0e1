/**
 * The headless mirror: it answers terminal queries (DA, CPR, DSR) as a
 * terminal would, its serialized screen paints the same cells on a blank
 * terminal, and its scrollback is capped.
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
});
