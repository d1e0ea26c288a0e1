/**
 * A session's screen, kept in an @xterm/headless terminal: every byte the
 * process writes goes in, and out come the screen as text lines (a preview),
 * as escape sequences that redraw it exactly on another terminal (reattach,
 * checkpoints), and the replies a terminal owes to queries (DA, CPR, DSR)
 * for when no real terminal is attached to give them. Non-goals: the pty
 * (adapter.ts), deciding who gets the replies (src/pty-host/).
 */
import { createRequire } from 'node:module';
import type { Terminal as HeadlessTerminal } from '@xterm/headless';
import type { SerializeAddon as SerializeAddonType } from '@xterm/addon-serialize';

/** Tunables of a mirror. */
export const MIRROR_DEFAULTS = {
  /** Lines of scrollback kept in RAM per session (the cap). */
  scrollback: 5_000,
  cols: 80,
  rows: 24,
} as const;

// Both packages are CommonJS bundles; loaded once, on the first mirror.
const require = createRequire(import.meta.url);
let classes: { Terminal: typeof HeadlessTerminal; SerializeAddon: typeof SerializeAddonType } | undefined;
function load(): NonNullable<typeof classes> {
  classes ??= {
    Terminal: (require('@xterm/headless') as typeof import('@xterm/headless')).Terminal,
    SerializeAddon: (require('@xterm/addon-serialize') as typeof import('@xterm/addon-serialize')).SerializeAddon,
  };
  return classes;
}

/** What a screen looks like, for listings and previews. */
export interface ScreenFacts {
  readonly cols: number;
  readonly rows: number;
  /** The window title the program last set (untrusted text, control bytes removed). */
  readonly title: string;
  readonly alternateScreen: boolean;
  readonly cursor: { readonly x: number; readonly y: number };
}

// Control bytes (C0, DEL, C1) never leave a title: it is program output shown to a person.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Remove control characters from program-set text. */
export const stripControl = (text: string): string => text.replace(CONTROL, '');

/** A headless copy of one session's terminal. */
export class ScreenMirror {
  private readonly term: HeadlessTerminal;
  private readonly serializer: SerializeAddonType;
  private titleText = '';
  private readonly replyListeners = new Set<(reply: string) => void>();

  constructor(options: { cols?: number; rows?: number; scrollback?: number } = {}) {
    const { Terminal, SerializeAddon } = load();
    this.term = new Terminal({
      cols: options.cols ?? MIRROR_DEFAULTS.cols,
      rows: options.rows ?? MIRROR_DEFAULTS.rows,
      scrollback: options.scrollback ?? MIRROR_DEFAULTS.scrollback,
      allowProposedApi: true,
    });
    this.serializer = new SerializeAddon();
    this.term.loadAddon(this.serializer as never);
    this.term.onTitleChange((t) => {
      this.titleText = stripControl(t).slice(0, 256);
    });
    // xterm answers queries (DA, CPR, DSR, …) through onData, as a real terminal would type them.
    this.term.onData((reply) => {
      for (const l of this.replyListeners) l(reply);
    });
  }

  /** Feed bytes the process wrote. Never waits: xterm queues them. */
  write(data: Uint8Array | string): void {
    this.term.write(data);
  }

  /** Resolves once every byte written so far is on the screen (later bytes may be too, by then). */
  settled(): Promise<void> {
    return new Promise((resolve) => this.term.write('', resolve));
  }

  /**
   * Run `take` at the instant every byte written so far is on the screen and
   * no later one is: xterm calls a write's callback between that chunk and
   * the next, while an `await` after settled() may already see more.
   */
  at<T>(take: () => T): Promise<T> {
    return new Promise((resolve, reject) =>
      this.term.write('', () => {
        try {
          resolve(take());
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      }),
    );
  }

  /** Listen for the replies the terminal owes to queries in the output; returns an unsubscribe. */
  onReply(listener: (reply: string) => void): () => void {
    this.replyListeners.add(listener);
    return () => this.replyListeners.delete(listener);
  }

  resize(cols: number, rows: number): void {
    if (cols !== this.term.cols || rows !== this.term.rows) this.term.resize(cols, rows);
  }

  facts(): ScreenFacts {
    const b = this.term.buffer.active;
    return {
      cols: this.term.cols,
      rows: this.term.rows,
      title: this.titleText,
      alternateScreen: b.type === 'alternate',
      cursor: { x: b.cursorX, y: b.cursorY },
    };
  }

  /** The visible screen as plain text, one string per row, trailing blanks trimmed. */
  screenLines(): string[] {
    const b = this.term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < this.term.rows; y++) out.push(b.getLine(b.viewportY + y)?.translateToString(true) ?? '');
    return out;
  }

  /** Scrollback and screen of the normal buffer as plain text (for peek without --ansi). */
  allLines(): string[] {
    const b = this.term.buffer.normal;
    const out: string[] = [];
    for (let y = 0; y < b.length; y++) out.push(b.getLine(y)?.translateToString(true) ?? '');
    while (out.length > 0 && out[out.length - 1] === '') out.pop();
    return out;
  }

  /**
   * Escape sequences that paint this terminal on a blank one: colours,
   * cursor, modes, alternate screen. `scrollback: 0` gives the screen alone
   * (what a reattach shows first). Never contains a query or its reply.
   */
  serialize(options: { scrollback?: number } = {}): string {
    const body = this.serializer.serialize(options.scrollback === undefined ? {} : { scrollback: options.scrollback });
    return body;
  }

  /** Lines in the normal buffer (scrollback + screen). */
  get lineCount(): number {
    return this.term.buffer.normal.length;
  }

  dispose(): void {
    this.replyListeners.clear();
    this.term.dispose();
  }
}
