/**
 * tmux-resurrect's pane-contents archive (`pane_contents.tar.gz`, already
 * gunzipped by the caller) read into one text per pane. Pure. The archive is
 * untrusted: nothing is extracted to disk (so no entry name can escape a
 * directory), only regular files named `pane_contents/pane-<key>` are read,
 * sizes are bounded, and each text is reduced to what `capture-pane -e`
 * itself produces — printable text, tabs, newlines and SGR colour sequences
 * — so a forged archive cannot make a restored pane's terminal answer a
 * query, set the clipboard or retitle a window.
 *
 * Layout (scripts/helpers.sh pane_contents_create_archive): `tar cf - -C
 * <dir>/save ./pane_contents/`, one file per pane named
 * `pane-SESSION:WINDOW.PANE`, written by `capture-pane -epJ`.
 */

/** Bounds on the archive. */
export const CONTENTS_LIMITS = {
  /** Bytes of one pane's text; a bigger entry is skipped. */
  maxEntryBytes: 16 * 1024 * 1024,
  /** Entries read (a directory entry counts). */
  maxEntries: 20_000,
} as const;

/** What the archive held, by resurrect's pane key, and what was skipped. */
export interface PaneContentsArchive {
  readonly texts: Map<string, string>;
  readonly notes: string[];
}

const BLOCK = 512;
const ENTRY_PREFIX = /^(?:\.\/)?pane_contents\/pane-(.+)$/s;

function field(header: Uint8Array, start: number, length: number): string {
  const end = header.indexOf(0, start);
  return new TextDecoder().decode(header.subarray(start, end >= 0 && end < start + length ? end : start + length));
}

function octal(header: Uint8Array, start: number, length: number): number | null {
  const text = field(header, start, length).trim();
  return /^[0-7]{1,12}$/.test(text) ? parseInt(text, 8) : null;
}

function checksumOk(header: Uint8Array): boolean {
  const want = octal(header, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  return want === sum;
}

/** Read the pane texts of an uncompressed tar stream. Never throws. */
export function readPaneContentsTar(tar: Uint8Array): PaneContentsArchive {
  const texts = new Map<string, string>();
  const notes: string[] = [];
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let pos = 0;
  let longName: string | null = null;
  for (let entries = 0; pos + BLOCK <= tar.length; entries++) {
    const header = tar.subarray(pos, pos + BLOCK);
    if (header.every((b) => b === 0)) break;
    if (entries >= CONTENTS_LIMITS.maxEntries) {
      notes.push(`pane contents: more than ${CONTENTS_LIMITS.maxEntries} entries; the rest skipped`);
      break;
    }
    const size = octal(header, 124, 12);
    if (!checksumOk(header) || size === null) {
      notes.push(`pane contents: the archive is damaged after ${texts.size} panes; the rest skipped`);
      break;
    }
    const type = String.fromCharCode(header[156]!);
    const dataStart = pos + BLOCK;
    const dataEnd = dataStart + size;
    if (dataEnd > tar.length) {
      notes.push(`pane contents: the archive is cut short after ${texts.size} panes; the rest skipped`);
      break;
    }
    pos = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') {
      // GNU long name: the next entry's name is this entry's data.
      longName = size <= 4096 ? decoder.decode(tar.subarray(dataStart, dataEnd)).replace(/\0+$/, '') : null;
      continue;
    }
    const prefix = field(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    longName = null;
    if (type !== '0' && type !== '\0') continue; // directories, links, devices: never read
    const m = ENTRY_PREFIX.exec(name);
    if (!m) continue;
    if (size > CONTENTS_LIMITS.maxEntryBytes) {
      notes.push(`pane contents of ${m[1]}: ${size} bytes, over ${CONTENTS_LIMITS.maxEntryBytes}; skipped`);
      continue;
    }
    texts.set(m[1]!, decoder.decode(tar.subarray(dataStart, dataEnd)));
  }
  return { texts, notes };
}

// SGR (kept) | any other escape sequence or control byte (dropped).
const SEQUENCES =
  /(\x1b\[[0-9;:]*m)|\x1b\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[\x20-\x7e]?|[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/**
 * A pane's text as `capture-pane -e` would give it: printable text, tabs,
 * newlines and SGR sequences only; trailing blank lines dropped; at most the
 * last `maxLines` lines (0: none).
 */
export function sanitizePaneText(text: string, maxLines: number): string {
  if (maxLines <= 0) return '';
  const clean = text.replace(SEQUENCES, (_m, sgr: string | undefined) => sgr ?? '');
  const lines = clean.split('\n');
  while (lines.length && lines[lines.length - 1]!.replace(/\x1b\[[0-9;:]*m/g, '').trim() === '') lines.pop();
  return lines.slice(Math.max(0, lines.length - maxLines)).join('\n');
}
