/**
 * `tsession parse`: stream a byte file (or stdin) through the marker parser, or
 * through the control-mode decoder and a marker parser per pane, printing JSON lines.
 * Not a recorder and not a pane tracker: it shows what the parsers see, nothing more.
 *
 * Help text (for the CLI wiring):
 *
 *   Usage: tsession parse [--nonce HEX] [--control] [FILE|-]
 *
 *   Read a raw terminal byte stream (FILE, or stdin when FILE is - or absent)
 *   and print every shell-integration event it holds as one JSON object per
 *   line, in stream order, ending with a {"type":"stats",…} line.
 *
 *   Options:
 *     --nonce HEX   the pane's shell-integration nonce: OSC 633 command lines
 *                   carrying it are printed with "trusted": true
 *     --control     the input is the stdout of `tmux -C`: print its events
 *                   (output, reply, notifications) and, for each %output, the
 *                   markers found in that pane's bytes (with a "pane" field;
 *                   offsets count that pane's decoded bytes)
 *
 *   Exit status: 0 when the input was read (even if no marker was found),
 *   2 when it cannot be read.
 *
 *   Examples:
 *     script -q -c bash session.log; tsession parse --nonce "$NONCE" session.log
 *     tmux -C attach -t work | tsession parse --control
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { ControlEvent } from '../../../parsers/control-events.js';
import { createControlModeParser } from '../../../parsers/control-mode.js';
import type { MarkerDialect, MarkerEvent } from '../../../parsers/events.js';
import { createMarkerParser, type MarkerParser } from '../../../parsers/marker-parser.js';
import { UserError } from '../../user-error.js';

/** Options of `tsession parse`. */
export interface ParseOptions {
  readonly nonce?: string;
  readonly control?: boolean;
  /** Path to read; undefined or '-' reads stdin. */
  readonly file?: string;
}

// Exit code for an unreadable input (README "Exit codes").
const EXIT_UNREADABLE = 2;

// errno codes people meet when naming a file, said in words.
const READ_FAILURES = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a component of the path is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'file name too long',
} as const;

/** Print the events of a byte stream as JSON lines, then a stats line. */
export async function parseCommand(
  opts: ParseOptions,
  out: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  const fromStdin = opts.file === undefined || opts.file === '-';
  const name = fromStdin ? 'stdin' : opts.file!;
  let handle: FileHandle | undefined;
  if (!fromStdin) {
    try {
      handle = await open(name, 'r');
    } catch (e) {
      throw unreadable(name, e);
    }
  }
  const input: AsyncIterable<Uint8Array> = handle ? handle.createReadStream() : process.stdin;
  const sink = opts.control ? controlSink(opts.nonce) : markerSink(opts.nonce);
  const chunks = input[Symbol.asyncIterator]();
  let done = false;
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await chunks.next();
      } catch (e) {
        throw unreadable(name, e); // e.g. EISDIR: open() succeeds on a directory, read() fails
      }
      if (next.done) break;
      await write(out, sink.push(next.value));
    }
    done = true;
    await write(out, sink.end());
  } finally {
    if (!done) await chunks.return?.();
    await handle?.close();
  }
}

interface Sink {
  /** JSON lines for one chunk ('' when none). */
  push(chunk: Uint8Array): string;
  /** The remaining lines and the stats line. */
  end(): string;
}

function markerSink(nonce: string | undefined): Sink {
  const parser = createMarkerParser(nonce !== undefined ? { nonce } : {});
  return {
    push: (chunk) => lines(parser.push(chunk)),
    end: () => {
      const tail = lines(parser.flush());
      const s = parser.stats();
      const stats = {
        type: 'stats',
        bytes: s.bytes,
        sequences: s.sequences,
        malformed: s.malformed,
        dropped: s.dropped,
        aborted: s.aborted,
        markers: s.markers,
        dialect: s.dialect,
      };
      return tail + JSON.stringify(stats) + '\n';
    },
  };
}

function controlSink(nonce: string | undefined): Sink {
  // Buffers, so each pane's marker parser gets Buffer's memchr-backed indexOf.
  const decoder = createControlModeParser({ allocate: (size) => Buffer.allocUnsafeSlow(size) });
  const panes = new Map<string, MarkerParser>();
  const render = (events: readonly ControlEvent[]): string => {
    let text = '';
    for (const ev of events) {
      if (ev.type !== 'output') {
        text += JSON.stringify(ev) + '\n';
        continue;
      }
      // The bytes themselves are not printed: the markers in them are the point.
      const head = ev.age === undefined
        ? { type: 'output', pane: ev.pane, bytes: ev.data.length }
        : { type: 'output', pane: ev.pane, bytes: ev.data.length, age: ev.age };
      text += JSON.stringify(head) + '\n';
      let parser = panes.get(ev.pane);
      if (!parser) {
        parser = createMarkerParser(nonce !== undefined ? { nonce } : {});
        panes.set(ev.pane, parser);
      }
      for (const m of parser.push(ev.data)) text += JSON.stringify({ ...m, pane: ev.pane }) + '\n';
    }
    return text;
  };
  return {
    push: (chunk) => render(decoder.push(chunk)),
    end: () => {
      const tail = render(decoder.flush());
      const c = decoder.stats();
      let sequences = 0;
      let malformed = 0;
      let dropped = 0;
      let aborted = 0;
      let markers = 0;
      let dialect: MarkerDialect | null = null;
      for (const parser of panes.values()) {
        parser.flush();
        const s = parser.stats();
        sequences += s.sequences;
        malformed += s.malformed;
        dropped += s.dropped;
        aborted += s.aborted;
        markers += s.markers;
        if (s.dialect === '633' || (s.dialect === '133' && dialect === null)) dialect = s.dialect;
      }
      const stats = {
        type: 'stats',
        bytes: c.bytes,
        sequences,
        malformed,
        dropped,
        aborted,
        markers,
        dialect,
        panes: panes.size,
        control: {
          lines: c.lines,
          outputs: c.outputs,
          outputBytes: c.outputBytes,
          replies: c.replies,
          notifications: c.notifications,
          malformed: c.malformed,
          dropped: c.dropped,
        },
      };
      return tail + JSON.stringify(stats) + '\n';
    },
  };
}

function lines(events: readonly MarkerEvent[]): string {
  let text = '';
  for (const ev of events) text += JSON.stringify(ev) + '\n';
  return text;
}

/** Write with backpressure, so a slow reader of our stdout bounds our memory too. */
function write(out: NodeJS.WritableStream, text: string): Promise<void> | void {
  if (!text) return;
  if (out.write(text)) return;
  return new Promise((resolve) => out.once('drain', () => resolve()));
}

function isErrno(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string';
}

function unreadable(name: string, e: unknown): UserError {
  const code = isErrno(e) ? e.code : undefined;
  const reason =
    code && Object.hasOwn(READ_FAILURES, code)
      ? READ_FAILURES[code as keyof typeof READ_FAILURES]
      : e instanceof Error
        ? e.message
        : String(e);
  return new UserError(`Cannot read ${name}: ${reason}`, EXIT_UNREADABLE);
}
