/**
 * The terminal while the interface owns it: alternate screen, hidden cursor,
 * raw input. `leave` puts everything back and is safe to call more than once,
 * from any exit path (quit, attach, exception, SIGTERM, process exit).
 */

/** Escape sequences used on the terminal. */
export const TERMINAL_CODES = {
  enterAltScreen: '\x1b[?1049h',
  leaveAltScreen: '\x1b[?1049l',
  hideCursor: '\x1b[?25l',
  showCursor: '\x1b[?25h',
  home: '\x1b[H',
  clearScreen: '\x1b[2J',
  clearBelow: '\x1b[J',
  resetStyle: '\x1b[0m',
} as const;

/** Owns the terminal state. */
export interface TerminalGuard {
  enter(): void;
  leave(): void;
  readonly active: boolean;
}

/** Guard for a TTY pair. */
export function createTerminalGuard(stdin: NodeJS.ReadStream, stdout: NodeJS.WriteStream): TerminalGuard {
  let active = false;
  const write = (s: string) => {
    try {
      stdout.write(s);
    } catch {
      // the terminal is gone (SIGHUP): nothing left to restore
    }
  };
  return {
    get active() {
      return active;
    },
    enter() {
      if (active) return;
      active = true;
      write(TERMINAL_CODES.enterAltScreen + TERMINAL_CODES.hideCursor + TERMINAL_CODES.home);
      // Raw at once: keys typed before the interface is ready must not echo.
      if (stdin.isTTY) stdin.setRawMode(true);
    },
    leave() {
      if (!active) return;
      active = false;
      try {
        if (stdin.isTTY) stdin.setRawMode(false);
      } catch {
        // closed
      }
      write(TERMINAL_CODES.resetStyle + TERMINAL_CODES.showCursor + TERMINAL_CODES.leaveAltScreen);
    },
  };
}

/**
 * On a resize, clear the screen before Ink redraws: a terminal reflows the
 * old frame at the new width into rows Ink does not know it drew, which
 * would stay behind as garbage. Register before Ink, so this runs first.
 */
export function clearOnResize(stdout: NodeJS.WriteStream): () => void {
  const onResize = () => stdout.write(TERMINAL_CODES.clearScreen + TERMINAL_CODES.home);
  stdout.on('resize', onResize);
  return () => {
    stdout.off('resize', onResize);
  };
}
