/**
 * Every tmux `-F` format tsession asks for, next to its decoder (pure). A
 * record is a tag, then fields that can only hold digits, ids, flags or
 * paths tmux made, sent space-separated, then fields that may hold any
 * byte, sent as `<byte length>:<value>` (#{n:…} is the byte length), so
 * names holding spaces, newlines or any other byte survive exactly. One
 * decoder reads them all (the layout's KINDS in layout-read.ts use it too).
 * Non-goals: running tmux (queries.ts, client.ts).
 */

/** One record format: its tag and fields. */
export interface RecordFormat {
  readonly tag: string;
  /** Fields sent space-separated: never spaces or newlines in them. */
  readonly safe: readonly string[];
  /** Fields sent length-prefixed: any byte. */
  readonly text: readonly string[];
}

/** A record's -F format: its tag, safe fields space-separated, then text fields as `<bytes>:<value>`. */
export function recordFormat(f: RecordFormat): string {
  return `${f.tag} ${f.safe.map((x) => `#{${x}}`).join(' ')} ${f.text.map((x) => `#{n:${x}}:#{${x}}`).join('')}`;
}

/**
 * Split records of `safeCount` space-separated fields then `textCount`
 * length-prefixed ones. With one count, every field is length-prefixed.
 * `shapeOf` instead picks the counts per record from its first word (the
 * tag, which is then dropped from the record).
 *
 * The buffer is scanned as one latin1 string (a char per byte, so byte
 * lengths are string lengths): string indexOf stays inside V8, where
 * Buffer#indexOf crosses into C++ per call — 22 ms instead of ~2 ms for
 * 400 panes in a cold process. Text fields holding non-ASCII bytes are then
 * decoded from the buffer as UTF-8.
 */
export function decodeRecords(buf: Buffer, countA: number, countB?: number): string[][] {
  const safeCount = countB === undefined ? 0 : countA;
  const textCount = countB === undefined ? countA : countB;
  return decodeShaped(buf, () => [safeCount, textCount]).map(([, rec]) => rec);
}

/** Records whose shape depends on a leading tag word: [tag, fields][]. */
export function decodeTagged(buf: Buffer, shapes: Readonly<Record<string, readonly [number, number]>>): [string, string[]][] {
  return decodeShaped(buf, (tag) => shapes[tag] ?? null, true);
}

function decodeShaped(
  buf: Buffer,
  shapeOf: (tag: string) => readonly [number, number] | null,
  tagged = false,
): [string, string[]][] {
  const text = buf.toString('latin1');
  const records: [string, string[]][] = [];
  let pos = 0;
  const bad = (what: string): never => {
    throw new Error(`Expected ${what} in tmux output at byte ${pos}, got ${JSON.stringify(buf.toString('utf8', pos, pos + 20))}`);
  };
  while (pos < text.length) {
    let tag = '';
    if (tagged) {
      const sp = text.indexOf(' ', pos);
      if (sp < 0) bad('a record tag');
      tag = text.slice(pos, sp);
      pos = sp + 1;
    }
    const shape = shapeOf(tag);
    if (!shape) return bad('a known record tag');
    const [safeCount, textCount] = shape;
    let rec: string[] = [];
    if (safeCount > 0) {
      // Find the end of the safe fields, then split them in one go.
      let end = pos;
      for (let f = 0; f < safeCount; f++) {
        const sp = text.indexOf(' ', end);
        if (sp < 0) bad('a field');
        end = sp + 1;
      }
      rec = text.slice(pos, end - 1).split(' ');
      pos = end;
    }
    for (let f = 0; f < textCount; f++) {
      const colon = text.indexOf(':', pos);
      const len = colon > pos ? Number(text.slice(pos, colon)) : NaN;
      if (!Number.isInteger(len) || colon + 1 + len > text.length) bad('a length-prefixed field');
      const value = text.slice(colon + 1, colon + 1 + len);
      rec.push(NON_ASCII.test(value) ? buf.toString('utf8', colon + 1, colon + 1 + len) : value);
      pos = colon + 1 + len;
    }
    if (text.charCodeAt(pos) !== 0x0a) bad('end of record');
    pos++;
    records.push([tag, rec]);
  }
  return records;
}

const NON_ASCII = /[^\x00-\x7f]/;

/** A decoded record: field name → value. */
export type Row<F extends RecordFormat> = { readonly [K in F['safe'][number] | F['text'][number]]: string };

/** The shape (safe and text field counts) of each format, by tag. */
const shapesOf = (formats: readonly RecordFormat[]): Record<string, readonly [number, number]> =>
  Object.fromEntries(formats.map((f) => [f.tag, [f.safe.length, f.text.length] as const]));

/** Decode output holding records of the given formats (any mix, any order): rows by tag. */
export function decodeRows<const F extends readonly RecordFormat[]>(buf: Buffer, formats: F): { [I in keyof F]: Row<F[I]>[] } {
  const byTag = new Map(formats.map((f, i) => [f.tag, { fields: [...f.safe, ...f.text], rows: [] as Record<string, string>[], i }]));
  for (const [tag, rec] of decodeTagged(buf, shapesOf(formats))) {
    const t = byTag.get(tag)!;
    const row: Record<string, string> = {};
    t.fields.forEach((name, k) => (row[name] = rec[k] ?? ''));
    t.rows.push(row);
  }
  return formats.map((f) => byTag.get(f.tag)!.rows) as { [I in keyof F]: Row<F[I]>[] };
}

/** The formats, by what they are for. */
export const FORMATS = {
  /** Each window's last output time (unix seconds): health probes. */
  activity: { tag: 'W', safe: ['window_id', 'window_activity'], text: [] },
  /** Attached clients and whether each is a control-mode one (ours, or another program's). */
  clients: { tag: 'C', safe: ['client_control_mode'], text: ['client_session'] },
  /** The server's pid, once per session, with the session's id: the watch daemon's probe. */
  sessionPids: { tag: 'S', safe: ['pid', 'session_id'], text: [] },
  /** Each session's id and name: the watch daemon's roster of who left, and how. */
  sessionNames: { tag: 'N', safe: ['session_id'], text: ['session_name'] },
  /** Each pane's process: the watch daemon's shell follower. */
  panePids: { tag: 'P', safe: ['pane_id', 'pane_pid'], text: [] },
  /** tmux's view of what a pane runs and where, for panes /proc cannot describe. */
  paneFallbacks: { tag: 'F', safe: ['pane_id'], text: ['pane_current_command', 'pane_current_path'] },
} as const satisfies Record<string, RecordFormat>;

/** A list command with a format: `[list, ...flags, '-F', format]`. */
export const listCommand = (list: string, f: RecordFormat, ...flags: string[]): string[] => [list, ...flags, '-F', recordFormat(f)];

/** The pane user option marking a restored pane the restore has not finished with (sessions/live/pending.ts). */
export const PENDING_OPTION = '@tsession-pending';

/**
 * Restore gates. The creation command of a gated pane prints
 * `tsession-gate:<n> <pane id> <tty>` (-P -F), n indexing
 * RestorePlan.gates: the executor learns each new pane's terminal from the
 * build's own output, chunk by chunk, and opens gates while later chunks
 * are still being built. Other lines of the build's output are not ours.
 */
export const GATE_TAG = 'tsession-gate';

/** -P -F arguments that make the creation command of gated pane `n` print its gate line. */
export const gatePrintArgs = (n: number): string[] => ['-P', '-F', `${GATE_TAG}:${n} #{pane_id} #{pane_tty}`];

const GATE_LINE_RE = new RegExp(`^${GATE_TAG}:(\\d+) (%\\d+) (\\S+)$`);

/** A gate line: which gated pane, its id and its terminal. */
export interface GateLine {
  readonly n: number;
  readonly paneId: string;
  readonly tty: string;
}

/** The gate lines in a build chunk's output, in order. */
export function decodeGateLines(buf: Buffer): GateLine[] {
  const out: GateLine[] = [];
  for (const line of buf.toString('utf8').split('\n')) {
    const m = GATE_LINE_RE.exec(line);
    if (m) out.push({ n: Number(m[1]), paneId: m[2]!, tty: m[3]! });
  }
  return out;
}
