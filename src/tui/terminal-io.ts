/**
 * The interface's own terminal input and output, with no framework: keys
 * read from the terminal and handed to the controller one by one, and each
 * change of the controller painted as the rows that differ. This is how the
 * interface draws by default (Ink is loaded only on request, see run.ts):
 * the screen is already built as lines by pure view functions, and Ink with
 * React and yoga cost ~60 MB of memory and 0.35–1 s of import to write them.
 */
import type { Controller } from './controller.js';
import { createKeyReader } from './keys.js';
import { TERMINAL_CODES } from './terminal.js';
import { toAnsi } from './view/line.js';
import { buildScreen, screenLines } from './view/screen.js';

/** How long an ESC at the end of a read waits for the rest of a sequence before it counts as Esc. */
export const ESC_WAIT_MS = 30;

/**
 * Keys for the controller, from the first frame to the end: read from the
 * terminal here (not through Ink), split one by one, escape sequences
 * whole. One reader for the whole run, so no key is lost when Ink arrives.
 */
export function readKeys(controller: Controller, stdin: NodeJS.ReadStream): { stop(): void } {
  const reader = createKeyReader();
  let escTimer: NodeJS.Timeout | undefined;
  const onData = (chunk: string | Buffer) => {
    clearTimeout(escTimer);
    for (const k of reader.push(chunk.toString())) controller.press(k);
    if (reader.pending) escTimer = setTimeout(() => reader.flush().forEach((k) => controller.press(k)), ESC_WAIT_MS);
  };
  stdin.setEncoding('utf8');
  stdin.on('data', onData);
  stdin.resume();
  return {
    stop() {
      clearTimeout(escTimer);
      stdin.off('data', onData);
      stdin.pause();
    },
  };
}

/**
 * Each change of the controller painted (only the rows that differ, in one
 * synchronized write), with the view functions Ink would render; a resize
 * repaints everything. `stop` ends painting (Ink takes over, or the end).
 */
export function paintScreen(controller: Controller, stdout: NodeJS.WriteStream, color: boolean): { stop(): void } {
  let shown: string[] = [];
  let scheduled = false;
  let stopped = false;
  const paint = () => {
    scheduled = false;
    if (stopped) return;
    const size = { columns: stdout.columns || 80, rows: stdout.rows || 24 };
    const lines = screenLines(buildScreen(controller.getState(), controller.services.info, size, controller.now(), controller.refreshedAt)).map((l) => toAnsi(l, color));
    let out = '';
    lines.forEach((l, i) => {
      if (shown[i] !== l) out += `\x1b[${i + 1};1H${l}\x1b[K`;
    });
    if (lines.length < shown.length) out += `\x1b[${lines.length + 1};1H${TERMINAL_CODES.clearBelow}`;
    shown = lines;
    // Synchronized output: the terminal shows the frame whole.
    if (out) stdout.write(`\x1b[?2026h${out}\x1b[?2026l`);
  };
  const schedule = () => {
    if (!scheduled) {
      scheduled = true;
      setImmediate(paint);
    }
  };
  const onResize = () => {
    shown = [];
    schedule();
  };
  const unsubscribe = controller.subscribe(schedule);
  stdout.on('resize', onResize);
  paint();
  return {
    stop() {
      stopped = true;
      unsubscribe();
      stdout.off('resize', onResize);
    },
  };
}

