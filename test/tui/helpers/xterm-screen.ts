/**
 * A terminal a test can look at: an @xterm/headless Terminal behind a fake
 * TTY stdout (with columns, rows and resize), and a fake TTY stdin. What the
 * test reads is the screen a person would see, not the raw writes.
 */
import { EventEmitter } from 'node:events';
import xterm from '@xterm/headless';

/** Palette indexes of the colours the interface uses. */
export const PALETTE = { red: 1, green: 2, yellow: 3, blue: 4, magenta: 5, cyan: 6, gray: 8 } as const;

/** A headless terminal with Node-stream faces. */
export function xtermScreen(columns: number, rows: number) {
  // convertEol: a real pty turns "\n" into "\r\n" (onlcr); the fake stdout has no tty driver.
  const term = new xterm.Terminal({ cols: columns, rows, allowProposedApi: true, convertEol: true });
  let pending: Promise<void> = Promise.resolve();
  const stdout = Object.assign(new EventEmitter(), {
    isTTY: true as const,
    columns,
    rows,
    write(data: string | Uint8Array, cb?: () => void): boolean {
      const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
      pending = new Promise<void>((res) => term.write(text, res));
      cb?.();
      return true;
    },
  });
  const stdin = Object.assign(new EventEmitter(), {
    isTTY: true as const,
    data: null as string | null,
    setRawMode() {},
    setEncoding() {},
    resume() {},
    pause() {},
    ref() {},
    unref() {},
    read() {
      const d = stdin.data;
      stdin.data = null;
      return d;
    },
    /** Type bytes as a terminal would send them. */
    type(s: string) {
      stdin.data = s;
      stdin.emit('readable');
      stdin.emit('data', s);
    },
  });
  /** Wait until every write so far is on the screen. */
  const settle = async () => {
    await new Promise((r) => setTimeout(r, 20));
    await pending;
    await new Promise<void>((res) => term.write('', res));
  };
  // getLine counts from the top of the scrollback: rows of the screen start at baseY.
  const lineAt = (y: number) => term.buffer.active.getLine(term.buffer.active.baseY + y);
  /** Text of screen row `y`. */
  const row = (y: number) => lineAt(y)?.translateToString(true) ?? '';
  /** The whole screen as text. */
  const text = () => Array.from({ length: term.rows }, (_, y) => row(y)).join('\n');
  /** Foreground palette colour of the cell at (x, y), or null for the default colour. */
  const colorAt = (x: number, y: number): number | null => {
    const cell = lineAt(y)?.getCell(x);
    return cell && cell.isFgPalette() ? cell.getFgColor() : null;
  };
  /** Where `needle` first appears on the screen. */
  const find = (needle: string): { x: number; y: number } | null => {
    for (let y = 0; y < term.rows; y++) {
      const x = row(y).indexOf(needle);
      if (x >= 0) return { x, y };
    }
    return null;
  };
  /** Change the size, as a window resize does. */
  const resize = (c: number, r: number) => {
    term.resize(c, r);
    stdout.columns = c;
    stdout.rows = r;
    stdout.emit('resize');
  };
  /** Poll until the screen matches. */
  const waitFor = async (want: RegExp, timeoutMs = 3_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await settle();
      if (want.test(text())) return text();
      if (Date.now() > deadline) throw new Error(`Expected the screen to match ${String(want)}, got:\n${text()}`);
    }
  };
  return { term, stdout, stdin, settle, row, text, colorAt, find, resize, waitFor };
}
