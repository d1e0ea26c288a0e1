/**
 * A PTY session's screen as styled lines for the detail panel's preview:
 * the host's serialized screen (what `tsession peek --ansi` prints) replayed
 * into a private @xterm/headless terminal of the session's size, then read
 * back cell by cell — text, colours (16, 256, 24-bit) and attributes. The
 * session's escape sequences (titles, OSC 52, clears, queries) act on that
 * private terminal and end there: only cell text, with control characters
 * removed, and our own SGR (view/line.ts toAnsi) reach the real terminal.
 * xterm is loaded on the first PTY preview, never for tmux sessions.
 * Non-goals: fetching the screen (services.ts), clipping to the panel (view/detail.ts).
 */
import type { IBufferCell, Terminal } from '@xterm/headless';
import type { Line, ScreenColor, Seg, Style } from './view/line.js';
import { textWidth } from './view/text.js';

/** Bounds of the terminal a preview is replayed in (a listing's size is clamped to them). */
export const SCREEN_CELL_LIMITS = { maxCols: 1_000, maxRows: 500 } as const;

let terminal: Promise<Terminal> | null = null;
// One replay at a time through the one terminal.
let queue: Promise<unknown> = Promise.resolve();

async function load(): Promise<Terminal> {
  const xterm = await import('@xterm/headless');
  // CommonJS package: its exports come as the default export.
  const { Terminal: Term } = (xterm as unknown as { default?: typeof import('@xterm/headless') }).default ?? xterm;
  // The buffer API is "proposed" in the headless build.
  return new Term({ cols: 80, rows: 24, scrollback: 0, allowProposedApi: true });
}

const clampSize = (n: number, max: number) => (Number.isFinite(n) ? Math.max(1, Math.min(max, Math.trunc(n))) : 1);

/** Replay `serialized` on a blank terminal of `cols`×`rows` and read its visible screen as styled lines (trailing blanks of each row dropped). */
export function screenCells(serialized: string, cols: number, rows: number): Promise<Line[]> {
  const run = queue.then(async () => {
    const term = await (terminal ??= load());
    term.reset();
    const c = clampSize(cols, SCREEN_CELL_LIMITS.maxCols);
    const r = clampSize(rows, SCREEN_CELL_LIMITS.maxRows);
    if (term.cols !== c || term.rows !== r) term.resize(c, r);
    await new Promise<void>((done) => term.write(serialized, done));
    return readScreen(term);
  });
  queue = run.catch(() => undefined);
  return run;
}

/** C0, DEL and C1 control characters (a cell never should hold one; if it does, it is not shown). */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

function colorOf(cell: IBufferCell, bg: boolean): ScreenColor | undefined {
  if (bg ? cell.isBgDefault() : cell.isFgDefault()) return undefined;
  const v = bg ? cell.getBgColor() : cell.getFgColor();
  if (bg ? cell.isBgRGB() : cell.isFgRGB()) return { kind: 'rgb', r: (v >> 16) & 0xff, g: (v >> 8) & 0xff, b: v & 0xff };
  return { kind: 'palette', index: v & 0xff };
}

function styleOf(cell: IBufferCell): Style {
  const fg = colorOf(cell, false);
  const bg = colorOf(cell, true);
  return {
    ...(fg ? { color: fg } : {}),
    ...(bg ? { bg } : {}),
    ...(cell.isBold() ? { bold: true } : {}),
    ...(cell.isDim() ? { dim: true } : {}),
    ...(cell.isItalic() ? { italic: true } : {}),
    ...(cell.isUnderline() ? { underline: true } : {}),
    ...(cell.isInverse() ? { inverse: true } : {}),
  };
}

/** The look of a cell as one string (colour modes and values, attribute flags), compared before any style is built. */
const lookOf = (c: IBufferCell): string =>
  `${c.getFgColorMode()}:${c.getFgColor()}|${c.getBgColorMode()}:${c.getBgColor()}|${c.isBold()}${c.isDim()}${c.isItalic()}${c.isUnderline()}${c.isInverse()}`;

/** Does a segment show anything on blank cells (a background, inverse, underline)? */
const marksBlanks = (s: Style) => s.bg !== undefined || s.inverse === true || s.underline === true;

function readScreen(term: Terminal): Line[] {
  const b = term.buffer.active;
  const cell = b.getNullCell();
  const lines: Line[] = [];
  for (let y = 0; y < term.rows; y++) {
    const line = b.getLine(b.viewportY + y);
    const segs: Seg[] = [];
    let key = '';
    let style: Style = {};
    let text = '';
    const flush = () => {
      if (text) segs.push({ text, ...style });
      text = '';
    };
    for (let x = 0; line && x < term.cols; x++) {
      line.getCell(x, cell);
      const width = cell.getWidth();
      // The second half of a wide character.
      if (width === 0) continue;
      // A style is built only where the look changes: a screen has few runs and many cells.
      const k = lookOf(cell);
      if (k !== key) {
        flush();
        key = k;
        style = styleOf(cell);
      }
      const chars = cell.isInvisible() ? '' : cell.getChars().replace(CONTROL, '');
      // The frame is laid out with view/text.ts widths: a character xterm counts otherwise (a combining
      // mark that table does not know) is shown as that many '?', so a row never spills over the panel.
      text += !chars ? ' '.repeat(width) : textWidth(chars) === width ? chars : '?'.repeat(width);
    }
    flush();
    // Trailing blanks that show nothing cost the painter and say nothing.
    while (segs.length) {
      const last = segs[segs.length - 1]!;
      if (marksBlanks(last)) break;
      const t = last.text.replace(/ +$/, '');
      if (t) {
        segs[segs.length - 1] = { ...last, text: t };
        break;
      }
      segs.pop();
    }
    lines.push(segs);
  }
  return lines;
}
