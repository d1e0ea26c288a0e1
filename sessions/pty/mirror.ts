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

/**
 * One contiguous copy of `text`. The serializer builds its result by
 * concatenation, and V8 keeps such a string as a tree of every piece: a
 * 1,000-line screen held that way (the checkpointer caches one per session)
 * measured 0.55 MiB of heap against 0.03 MiB flat.
 */
function flatten(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/** A headless copy of one session's terminal. */
export class ScreenMirror {
  /**
   * The live terminal, or null while the mirror rests: an idle mirror with
   * nobody watching keeps only its serialized screen (about 30 bytes a line)
   * instead of xterm's 12 bytes a cell plus an object per line (1.5 MiB for
   * 1,000 lines at 80 columns, more on a wider terminal).
   */
  private term: HeadlessTerminal | null;
  /** The serializer of `term` (it holds the terminal: let go with it). */
  private serializer: SerializeAddonType | null;
  /** While resting or waking: what it showed, read instead of a terminal still replaying it. */
  private saved: { readonly screen: string; readonly facts: ScreenFacts; readonly lineCount: number } | null = null;
  /** Output written since the last rest began (a rest is abandoned when this moves). */
  private writes = 0;
  private queued = 0;
  private titleText = '';
  private readonly replyListeners = new Set<(reply: string) => void>();
  private readonly options: { readonly cols: number; readonly rows: number; readonly scrollback: number };

  constructor(options: { cols?: number; rows?: number; scrollback?: number } = {}) {
    this.options = {
      cols: options.cols ?? MIRROR_DEFAULTS.cols,
      rows: options.rows ?? MIRROR_DEFAULTS.rows,
      scrollback: options.scrollback ?? MIRROR_DEFAULTS.scrollback,
    };
    [this.term, this.serializer] = this.open(this.options.cols, this.options.rows);
  }

  private open(cols: number, rows: number): [HeadlessTerminal, SerializeAddonType] {
    const { Terminal, SerializeAddon } = load();
    const term = new Terminal({ cols, rows, scrollback: this.options.scrollback, allowProposedApi: true });
    const serializer = new SerializeAddon();
    term.loadAddon(serializer as never);
    term.onTitleChange((t) => {
      this.titleText = stripControl(t).slice(0, 256);
    });
    // xterm answers queries (DA, CPR, DSR, …) through onData, as a real terminal would type them.
    // Never while a woken mirror replays its own screen (that holds no query anyway).
    term.onData((reply) => {
      if (this.saved) return;
      for (const l of this.replyListeners) l(reply);
    });
    return [term, serializer];
  }

  /** The terminal, woken from rest if need be: its saved screen is replayed before anything written after. */
  private live(): HeadlessTerminal {
    if (this.term) return this.term;
    const saved = this.saved!;
    const [term, serializer] = this.open(saved.facts.cols, saved.facts.rows);
    this.term = term;
    this.serializer = serializer;
    term.write(saved.screen, () => {
      if (this.term === term) this.saved = null;
    });
    return term;
  }

  /** Whether the mirror rests (holds its screen as text, no terminal). */
  get resting(): boolean {
    return this.term === null;
  }

  /**
   * Rest: keep the screen as its serialization and let the terminal go,
   * until the next write or read wakes it (a few ms for 1,000 lines). Only
   * on the normal screen: a full-screen program's scroll region, saved
   * cursor and charsets are not in a serialization, and a shell's prompt
   * does not depend on them. Resolves true when the mirror rests.
   */
  rest(): Promise<boolean> {
    const term = this.term;
    if (!term || this.saved) return Promise.resolve(false);
    const writes = this.writes;
    return new Promise((resolve) =>
      term.write('', () => {
        // Output written since rest() was asked is still queued behind this instant: stay awake for it.
        if (this.term !== term || this.writes !== writes || term.buffer.active.type !== 'normal') return resolve(false);
        this.saved = { screen: this.serialize(), facts: this.facts(), lineCount: this.lineCount };
        this.term = null;
        this.serializer = null;
        term.dispose();
        resolve(true);
      }),
    );
  }

  /**
   * Feed bytes the process wrote. Never waits: xterm queues them, and calls
   * `parsed` once they are on the screen. Mind `backlog`: xterm throws away
   * a write (it throws) once 50 MB wait unparsed.
   */
  write(data: Uint8Array | string, parsed?: () => void): void {
    this.writes++;
    const size = data.length;
    this.queued += size;
    this.live().write(data, () => {
      this.queued -= size;
      parsed?.();
    });
  }

  /** Bytes (or UTF-16 units of strings) written but not yet on the screen. */
  get backlog(): number {
    return this.queued;
  }

  /** Resolves once every byte written so far is on the screen (later bytes may be too, by then). */
  settled(): Promise<void> {
    if (!this.term) return Promise.resolve();
    return new Promise((resolve) => this.term!.write('', resolve));
  }

  /**
   * Run `take` at the instant every byte written so far is on the screen and
   * no later one is: xterm calls a write's callback between that chunk and
   * the next, while an `await` after settled() may already see more.
   */
  at<T>(take: () => T): Promise<T> {
    return new Promise((resolve, reject) =>
      this.live().write('', () => {
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
    const term = this.live();
    // A woken terminal takes the new size after its saved screen (drawn at the old one) is replayed.
    if (this.saved) term.write('', () => term.resize(cols, rows));
    else if (cols !== term.cols || rows !== term.rows) term.resize(cols, rows);
  }

  facts(): ScreenFacts {
    if (this.saved) return { ...this.saved.facts, title: this.titleText };
    const term = this.term!;
    const b = term.buffer.active;
    return {
      cols: term.cols,
      rows: term.rows,
      title: this.titleText,
      alternateScreen: b.type === 'alternate',
      cursor: { x: b.cursorX, y: b.cursorY },
    };
  }

  /** The visible screen as plain text, one string per row, trailing blanks trimmed. */
  screenLines(): string[] {
    const term = this.live();
    const b = term.buffer.active;
    const out: string[] = [];
    for (let y = 0; y < term.rows; y++) out.push(b.getLine(b.viewportY + y)?.translateToString(true) ?? '');
    return out;
  }

  /** Scrollback and screen of the normal buffer as plain text (for peek without --ansi). */
  allLines(): string[] {
    const b = this.live().buffer.normal;
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
    if (this.saved && options.scrollback === undefined) return this.saved.screen;
    this.live();
    const body = this.serializer!.serialize(options.scrollback === undefined ? {} : { scrollback: options.scrollback });
    return flatten(body);
  }

  /** Lines in the normal buffer (scrollback + screen). */
  get lineCount(): number {
    return this.saved ? this.saved.lineCount : this.term!.buffer.normal.length;
  }

  dispose(): void {
    this.replyListeners.clear();
    this.term?.dispose();
    this.term = null;
    this.serializer = null;
    this.saved = null;
  }
}
