/**
 * tmux-resurrect's save file (`tmux_resurrect_*.txt`) read into checkpoint
 * records. Pure: text in, records and notes out. The file is untrusted:
 * every field is checked, a bad line is skipped with a note, and a command
 * it names is recorded as text of unknown provenance (`heuristic`), which a
 * restore never re-runs. Non-goals: reading files, pane contents (see
 * resurrect-contents.ts), writing the checkpoint.
 *
 * The format, as scripts/save.sh of tmux-resurrect v4 writes it (one record
 * per line, fields separated by a tab, free text prefixed with `:` so an
 * empty value still takes a field):
 *
 *   pane  SESSION WINDOW_INDEX WINDOW_ACTIVE :WINDOW_FLAGS PANE_INDEX PANE_TITLE :DIR PANE_ACTIVE COMMAND :FULL_COMMAND
 *   window SESSION WINDOW_INDEX :WINDOW_NAME WINDOW_ACTIVE :WINDOW_FLAGS LAYOUT AUTOMATIC_RENAME(on|off|:)
 *   state CLIENT_SESSION CLIENT_LAST_SESSION
 *   grouped_session SESSION ORIGINAL_SESSION :ALTERNATE_WINDOW_INDEX :ACTIVE_WINDOW_INDEX
 *
 * Before v4 (pane titles), pane lines carried `:WINDOW_NAME` in the fourth
 * field and no title, and window lines had neither name nor
 * AUTOMATIC_RENAME; both shapes are read. save.sh escapes the first space of
 * DIR as `\ ` (and its `echo` squeezes runs of spaces); restore.sh reads
 * lines with bash `read` without -r, which drops each backslash before a
 * character: the same decoding is applied here to every field but the full
 * command (read with -r there). FULL_COMMAND is `ps -o args` of the pane
 * shell's children, argv joined by spaces: split back on spaces, which a
 * person confirms before it runs.
 */
import type { PaneRecord, SessionRecord, WindowRecord } from './schema.js';

/** Bounds on what one save file may hold. */
export const RESURRECT_LIMITS = {
  /** Panes in one file (a save of a huge server is a few thousand). */
  maxPanes: 10_000,
  /** Bytes in one field (a path, a title, a command line). */
  maxField: 64 * 1024,
  /** A window or pane index. */
  maxIndex: 100_000,
} as const;

/** The pane size used when the layout cannot say. */
const FALLBACK_SIZE = { width: 80, height: 24 } as const;

/** What the save file said, as records, and what was skipped and why. */
export interface ResurrectSave {
  /** Sessions in file order; pane contents are null (see resurrect-contents.ts). */
  readonly sessions: SessionRecord[];
  /** Each pane id by resurrect's pane key `session:window.pane` (the contents archive's names). */
  readonly paneKeys: ReadonlyMap<string, string>;
  /** The attached client's session and its last one, when a client was attached. */
  readonly state: { readonly client: string; readonly last: string } | null;
  /** One line per thing skipped or changed, for a person. */
  readonly notes: string[];
}

/** What parseResurrectSave needs besides the text. */
export interface ResurrectParseOptions {
  /** Shell recorded for a pane whose shell the file cannot name (a job was running): a basename. */
  readonly defaultShell: string;
  /** Seconds since the epoch recorded as each session's creation time. */
  readonly createdAt: number;
}

interface PaneLine {
  readonly line: number;
  readonly session: string;
  readonly windowIndex: number;
  readonly windowActive: boolean;
  readonly flags: string;
  readonly windowName: string | null;
  readonly paneIndex: number;
  readonly title: string;
  readonly dir: string;
  readonly active: boolean;
  readonly command: string;
  readonly fullCommand: string;
}

interface WindowLine {
  readonly name: string | null;
  readonly active: boolean;
  readonly flags: string;
  readonly layout: string;
  readonly automaticRename: boolean;
}

interface GroupedLine {
  readonly session: string;
  readonly original: string;
  readonly alternate: number | null;
  readonly active: number | null;
}

/** Bash `read` without -r: a backslash escapes the next character (and is dropped). */
export function unbackslash(field: string): string {
  return field.includes('\\') ? field.replace(/\\(.?)/gs, '$1') : field;
}

/** A field that must start with `:` (resurrect's marker for free text), without it; null if absent. */
function colon(field: string | undefined): string | null {
  return field !== undefined && field.startsWith(':') ? field.slice(1) : null;
}

function index(field: string | undefined): number | null {
  if (field === undefined || !/^\d{1,6}$/.test(field)) return null;
  const n = Number(field);
  return n <= RESURRECT_LIMITS.maxIndex ? n : null;
}

const flag = (field: string | undefined): boolean | null => (field === '1' ? true : field === '0' ? false : null);

/** tmux's layout checksum (layout-custom.c layout_checksum) of the text after `csum,`. */
export function layoutChecksum(text: string): number {
  let csum = 0;
  for (let i = 0; i < text.length; i++) {
    csum = (csum >> 1) + ((csum & 1) << 15);
    csum = (csum + text.charCodeAt(i)) & 0xffff;
  }
  return csum;
}

/**
 * The pane sizes of a tmux layout string (`csum,WxH,X,Y{…}` / `[…]` /
 * `,ID`), in pane order; null when it is not one tmux would accept (bad
 * checksum, bad syntax).
 */
export function layoutPaneSizes(layout: string): { width: number; height: number }[] | null {
  const m = /^([0-9a-f]{4}),(.+)$/s.exec(layout);
  if (!m || parseInt(m[1]!, 16) !== layoutChecksum(m[2]!)) return null;
  const text = m[2]!;
  const out: { width: number; height: number }[] = [];
  let pos = 0;
  const cell = (depth: number): boolean => {
    if (depth > 64) return false;
    const head = /^(\d{1,5})x(\d{1,5}),\d{1,5},\d{1,5}/.exec(text.slice(pos, pos + 32));
    if (!head) return false;
    pos += head[0].length;
    const open = text[pos];
    if (open === ',') {
      const id = /^,\d{1,9}/.exec(text.slice(pos, pos + 12));
      if (!id) return false;
      pos += id[0].length;
      out.push({ width: Math.max(1, Number(head[1])), height: Math.max(1, Number(head[2])) });
      return true;
    }
    if (open !== '{' && open !== '[') return false;
    const close = open === '{' ? '}' : ']';
    pos++;
    for (;;) {
      if (!cell(depth + 1)) return false;
      if (text[pos] === ',') {
        pos++;
        continue;
      }
      if (text[pos] !== close) return false;
      pos++;
      return true;
    }
  };
  return cell(0) && pos === text.length ? out : null;
}

/**
 * save.sh reads tmux's output with `read` and IFS=tab, which merges two
 * tabs: an empty pane title shifts every later field one to the left (the
 * title field holds `:DIR`, the directory field PANE_ACTIVE, and the full
 * command is that of a process whose pid is the pane's history size). Such
 * a line is recognised and read with an empty title and no command.
 */
function unshiftEmptyTitle(f: string[]): string[] | null {
  const [title, dir, command] = [f[6], f[7], f[8]];
  if (flag(f[3]) === null || title === undefined || !title.startsWith(':') || flag(dir) === null || command === undefined) return null;
  return [...f.slice(0, 6), '', title, dir ?? '', command, ':'];
}

function parsePane(f: string[], line: number, notes: string[]): PaneLine | string {
  if (f.length !== 11) return `expected 11 fields, got ${f.length}`;
  const unshifted = unshiftEmptyTitle(f);
  if (unshifted) {
    notes.push(`line ${line} (pane): saved with an empty pane title, which shifts resurrect's fields; read without its command`);
    f = unshifted;
  }
  // v4 has WINDOW_ACTIVE (0/1) fourth; older files have :WINDOW_NAME there.
  const v4 = flag(f[3]) !== null;
  const [session, windowIndex, windowActive, flags, paneIndex, title, dir, active, command, fullCommand] = v4
    ? [f[1], index(f[2]), flag(f[3]), colon(f[4]), index(f[5]), f[6], colon(f[7]), flag(f[8]), f[9], colon(f[10])]
    : [f[1], index(f[2]), flag(f[4]), colon(f[5]), index(f[6]), '', colon(f[7]), flag(f[8]), f[9], colon(f[10])];
  if (!session) return 'expected a session name, got an empty field';
  if (windowIndex === null) return `expected a window index, got ${JSON.stringify(f[2])}`;
  if (paneIndex === null) return `expected a pane index, got ${JSON.stringify(v4 ? f[5] : f[6])}`;
  if (windowActive === null || active === null) return 'expected 0 or 1 for the active flags';
  if (flags === null || dir === null || fullCommand === null) return 'expected ":" before the window flags, directory and command';
  const path = unbackslash(dir);
  if (!path.startsWith('/')) return `expected an absolute directory, got ${JSON.stringify(path)}`;
  return {
    line,
    session: unbackslash(session),
    windowIndex,
    windowActive,
    flags,
    windowName: v4 ? null : unbackslash(colon(f[3]) ?? ''),
    paneIndex,
    title: unbackslash(title ?? ''),
    dir: path,
    active,
    command: unbackslash(command ?? ''),
    fullCommand,
  };
}

function parseWindow(f: string[]): { session: string; index: number; window: WindowLine } | string {
  const v4 = f.length === 8;
  if (!v4 && f.length !== 6) return `expected 8 fields (6 before tmux-resurrect v4), got ${f.length}`;
  const [session, idx, name, active, flags, layout, auto] = v4
    ? [f[1], index(f[2]), colon(f[3]), flag(f[4]), colon(f[5]), f[6], f[7]]
    : [f[1], index(f[2]), null, flag(f[3]), colon(f[4]), f[5], 'off'];
  if (!session) return 'expected a session name, got an empty field';
  if (idx === null) return `expected a window index, got ${JSON.stringify(f[2])}`;
  if (active === null) return 'expected 0 or 1 for the active flag';
  if (flags === null || (v4 && name === null)) return 'expected ":" before the window name and flags';
  if (auto !== 'on' && auto !== 'off' && auto !== ':') return `expected on, off or ":" for automatic-rename, got ${JSON.stringify(auto)}`;
  return {
    session: unbackslash(session),
    index: idx,
    window: {
      name: name === null ? null : unbackslash(name),
      active,
      flags,
      layout: unbackslash(layout ?? ''),
      // ":" is resurrect's "unset": the window follows the global option, on unless changed.
      automaticRename: auto !== 'off',
    },
  };
}

function parseGrouped(f: string[]): GroupedLine | string {
  if (f.length !== 5) return `expected 5 fields, got ${f.length}`;
  const alt = colon(f[3]);
  const act = colon(f[4]);
  if (!f[1] || !f[2] || alt === null || act === null) return 'expected a session, its group\'s first session and ":" window indexes';
  return { session: unbackslash(f[1]), original: unbackslash(f[2]), alternate: alt ? index(alt) : null, active: act ? index(act) : null };
}

/** Split `ps -o args` output back into words (argv boundaries inside a word are lost). */
export function splitCommand(text: string): string[] {
  return text.split(/[ \t]+/).filter(Boolean);
}

const basename = (p: string): string => p.slice(p.lastIndexOf('/') + 1).replace(/^-/, '');

/** Read a resurrect save file. Never throws; what it cannot use is in `notes`. */
export function parseResurrectSave(text: string, options: ResurrectParseOptions): ResurrectSave {
  const notes: string[] = [];
  const panes: PaneLine[] = [];
  const windows = new Map<string, WindowLine>();
  const grouped: GroupedLine[] = [];
  let state: ResurrectSave['state'] = null;
  let stray = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    if (raw === '') continue;
    const f = raw.split('\t');
    if (f.some((x) => x.length > RESURRECT_LIMITS.maxField)) {
      notes.push(`line ${i + 1}: a field longer than ${RESURRECT_LIMITS.maxField} bytes; skipped`);
      continue;
    }
    const skip = (why: string) => notes.push(`line ${i + 1} (${f[0]}): ${why}; skipped`);
    switch (f[0]) {
      case 'pane': {
        if (panes.length >= RESURRECT_LIMITS.maxPanes) {
          skip(`more than ${RESURRECT_LIMITS.maxPanes} panes`);
          break;
        }
        const p = parsePane(f, i + 1, notes);
        if (typeof p === 'string') skip(p);
        else panes.push(p);
        break;
      }
      case 'window': {
        const w = parseWindow(f);
        if (typeof w === 'string') skip(w);
        else windows.set(`${w.session}\t${w.index}`, w.window);
        break;
      }
      case 'state':
        state = f[1] ? { client: unbackslash(f[1]), last: unbackslash(f[2] ?? '') } : null;
        break;
      case 'grouped_session': {
        const g = parseGrouped(f);
        if (typeof g === 'string') skip(g);
        else grouped.push(g);
        break;
      }
      default:
        // A command line holding a newline (a pipeline's second process) spills onto the next line.
        stray++;
    }
  }
  if (stray) notes.push(`${stray} ${stray === 1 ? 'line' : 'lines'} of no known type skipped`);

  // Group pane lines by session, then window (file order of first appearance).
  const bySession = new Map<string, Map<number, PaneLine[]>>();
  for (const p of panes) {
    const ws = bySession.get(p.session) ?? new Map<number, PaneLine[]>();
    bySession.set(p.session, ws);
    const list = ws.get(p.windowIndex) ?? [];
    ws.set(p.windowIndex, list);
    if (list.some((q) => q.paneIndex === p.paneIndex)) {
      notes.push(`line ${p.line}: pane ${p.session}:${p.windowIndex}.${p.paneIndex} appears twice; the second is skipped`);
      continue;
    }
    list.push(p);
  }

  let nextSession = 0;
  let nextWindow = 0;
  let nextPane = 0;
  const paneKeys = new Map<string, string>();
  const sessions: SessionRecord[] = [];
  for (const [name, ws] of bySession) {
    const windowRecords: WindowRecord[] = [];
    for (const [wIndex, list] of [...ws].sort((a, b) => a[0] - b[0])) {
      list.sort((a, b) => a.paneIndex - b.paneIndex);
      const where = `${name}:${wIndex}`;
      const wl = windows.get(`${name}\t${wIndex}`);
      const first = list[0]!;
      let layout = wl?.layout ?? '';
      let sizes = layoutPaneSizes(layout);
      if (!sizes || sizes.length !== list.length) {
        if (wl) notes.push(`window ${where}: its layout ${sizes ? `has ${sizes.length} panes, not ${list.length}` : 'is not one tmux accepts'}; tiled instead`);
        else notes.push(`window ${where}: no window line; tiled, named by its program`);
        layout = 'tiled';
        sizes = null;
      }
      const paneRecords: PaneRecord[] = list.map((p, i) => {
        const id = `%${nextPane++}`;
        paneKeys.set(`${name}:${wIndex}.${p.paneIndex}`, id);
        const argv = splitCommand(p.fullCommand);
        const shell = argv.length ? options.defaultShell : p.command || options.defaultShell;
        return {
          id,
          index: p.paneIndex,
          title: p.title,
          active: p.active,
          width: sizes?.[i]?.width ?? FALLBACK_SIZE.width,
          height: sizes?.[i]?.height ?? FALLBACK_SIZE.height,
          shell: { command: basename(shell) || options.defaultShell, argv: null },
          cwd: { path: p.dir, source: 'tmux' },
          // Read from a file, not from /proc: 'heuristic', so a restore types it and never runs it.
          foreground: argv.length
            ? { kind: 'job', command: basename(argv[0]!) || p.command, argv, cwd: null, source: 'heuristic' }
            : { kind: 'shell' },
          contents: null,
        };
      });
      if (!paneRecords.some((p) => p.active)) paneRecords[0] = { ...paneRecords[0]!, active: true };
      const flags = wl?.flags ?? first.flags;
      windowRecords.push({
        id: `@${nextWindow++}`,
        index: wIndex,
        name: wl?.name ?? first.windowName ?? first.command,
        automaticRename: wl ? wl.automaticRename : first.windowName === null,
        layout,
        active: wl?.active ?? first.windowActive,
        last: flags.includes('-'),
        zoomed: flags.includes('Z') && paneRecords.length > 1,
        panes: paneRecords,
      });
    }
    if (!windowRecords.some((w) => w.active)) windowRecords[0] = { ...windowRecords[0]!, active: true };
    sessions.push({ id: `$${nextSession++}`, name, baseIndex: 0, createdAt: options.createdAt, windows: windowRecords });
  }
  for (const key of windows.keys()) {
    const [s, w] = key.split('\t');
    if (!bySession.get(s!)?.has(Number(w))) notes.push(`window ${s}:${w}: no pane lines; skipped`);
  }

  // Grouped sessions list the windows of the group's first session (resurrect saves their panes once).
  for (const g of grouped) {
    const original = sessions.find((s) => s.name === g.original);
    if (!original) {
      notes.push(`session ${g.session}: its group's session ${g.original} is not in the file; skipped`);
      continue;
    }
    if (sessions.some((s) => s.name === g.session)) {
      notes.push(`session ${g.session}: listed both as a session and as a member of ${g.original}'s group; the group line is skipped`);
      continue;
    }
    const idx = original.windows.findIndex((w) => w.index === g.active);
    const active = idx >= 0 ? idx : original.windows.findIndex((w) => w.active);
    const group = original.group ?? original.name;
    sessions[sessions.indexOf(original)] = { ...original, group };
    sessions.push({
      id: `$${nextSession++}`,
      name: g.session,
      baseIndex: 0,
      createdAt: options.createdAt,
      group,
      windows: original.windows.map((w, i) => ({ ...w, active: i === active, last: w.index === g.alternate })),
    });
  }
  return { sessions, paneKeys, state, notes };
}
