/**
 * The detail panel of the selected session: its badge and the evidence
 * behind it, then the window/pane tree with each pane's cwd, foreground
 * command and, where shell integration recorded them in the checkpoint, the
 * last command line and its exit code.
 */
import type { PaneRecord, SessionRecord } from '../../../checkpoints/schema.js';
import type { PaneFacts } from '../../../sessions/health/classify.js';
import type { Snapshot } from '../model.js';
import { BADGES, badgeText } from '../theme.js';
import { fitLine, seg, type Line, type Seg } from './line.js';
import { PTY_STATE_COLORS, type PtyRow, type SessionRow } from './rows.js';
import type { ScreenPreview } from '../state.js';
import { ptyStateText } from '../../ops/pty-words.js';
import { age, count, paneName, visible } from '../../../checkpoints/words.js';
import { shortPath } from '../../ops/timeline.js';
import { localTime } from './panels.js';
import { fit, textWidth, wrap } from './text.js';

/** The record a session's tree and last commands come from: the newest checkpoint holding it (read by the refresh). */
export function savedRecord(row: SessionRow): { record: SessionRecord | null; loading: boolean } {
  const saved = row.verdict.saved;
  return { record: saved?.record ?? null, loading: saved !== null && saved.record === null };
}

const fgOf = (p: PaneRecord): string =>
  p.foreground.kind === 'shell' ? '(shell)' : p.foreground.argv ? p.foreground.argv.join(' ') : p.foreground.command;

/** "last: make test → exit 2 (untrusted)". */
function lastCommand(p: PaneRecord | undefined): Seg[] {
  const lc = p?.lastCommand;
  if (!lc) return [];
  const exit = lc.exitCode === null ? 'running or unknown' : `exit ${lc.exitCode}`;
  return [
    seg('  last: ', { dim: true }),
    seg(visible(lc.commandLine)),
    seg(` → ${exit}`, { color: lc.exitCode === 0 ? 'green' : lc.exitCode === null ? 'gray' : 'red' }),
    ...(lc.trusted ? [] : [seg(' (untrusted)', { dim: true })]),
  ];
}

interface TreePane {
  /** `session:window.pane`. */
  readonly name: string;
  readonly cwd: string;
  readonly command: string;
  readonly saved: PaneRecord | undefined;
  readonly frozen: boolean;
}
interface TreeWindow {
  readonly index: number;
  readonly name: string;
  readonly panes: readonly TreePane[];
}

/** The tree: live panes with /proc facts, else the checkpoint's record. */
function treeOf(row: SessionRow, snapshot: Snapshot, record: SessionRecord | null): TreeWindow[] {
  const live = row.verdict.liveSession;
  const savedWindow = (index: number) => record?.windows.find((w) => w.index === index);
  const frozenPanes = new Set(row.verdict.causes.flatMap((c) => ('paneId' in c ? [c.paneId] : [])));
  if (live) {
    const facts = new Map<string, PaneFacts>(snapshot.panes.map((p) => [p.paneId, p]));
    return live.windows.map((w) => ({
      index: w.index,
      name: w.name,
      panes: w.panes.map((p, i) => {
        const f = facts.get(p.id);
        return {
          name: paneName(live.name, w.index, p.index),
          cwd: f?.shellCwd ?? p.currentPath,
          command: f ? (f.fgCommand ?? '(shell)') : p.currentCommand,
          saved: savedWindow(w.index)?.panes[i],
          frozen: frozenPanes.has(p.id),
        };
      }),
    }));
  }
  return (record?.windows ?? []).map((w) => ({
    index: w.index,
    name: w.name,
    panes: w.panes.map((p) => ({ name: paneName(record!.name, w.index, p.index), cwd: p.cwd.path, command: fgOf(p), saved: p, frozen: false })),
  }));
}

/** Every line of the detail panel (the caller scrolls and cuts to its height). */
export function detailLines(
  row: SessionRow | null,
  snapshot: Snapshot | null,
  width: number,
  now: number,
  home: string | null = null,
  preview: ScreenPreview | null = null,
  height = Infinity,
): Line[] {
  if (!row || !snapshot) return [fitLine([seg('  no session selected', { dim: true })], width)];
  const v = row.verdict;
  const b = BADGES[row.badge];
  const out: Line[] = [];
  const counts = row.windows === null ? '' : ` · ${count(row.windows, 'window')}, ${count(row.panes ?? 0, 'pane')}`;
  const where = v.liveSession ? (row.attached ? ' · attached' : ' · not attached') : v.live ? '' : ' · not running';
  const saved = row.newest ? ` · checkpoint ${age(now - Date.parse(row.newest.createdAt))} ago` : ' · no checkpoint';
  out.push(fitLine([seg(` ${visible(row.name)} `, { bold: true }), seg(badgeText(row.badge), { color: b.color, bold: true }), seg(`${counts}${where}${saved}`)], width));
  // Attachment is said above and in its own column; a change not yet saved is evidence.
  const evidence = [
    // The checkpoint by its time, not its id (y copies the id).
    ...v.evidence.filter((e) => e.probe !== 'clients').map((e) => (e.probe === 'checkpoint' && v.saved ? { ...e, saw: `newest checkpoint of ${localTime(v.saved.createdAt)} (${age(now - Date.parse(v.saved.createdAt))} ago)` } : e)),
    ...(row.changes.length ? [{ probe: 'since the checkpoint', saw: row.changes.map((c) => c.text).join(', ') }] : []),
  ];
  // Evidence is what a person acts on: wrapped, never cut.
  for (const e of evidence) {
    const [first = '', ...rest] = wrap(`${e.probe}: ${visible(e.saw)}`, Math.max(10, width - 6));
    out.push(fitLine([seg('   · ', { color: b.color }), seg(first.slice(0, e.probe.length + 1), { dim: true }), seg(first.slice(e.probe.length + 1))], width));
    for (const more of rest) out.push(fitLine([seg(`     ${more}`)], width));
  }
  const hint = {
    crashed: 'r restores it (t picks another checkpoint)',
    frozen: 'u unfreezes it: resume, release, then (asking first) interrupt, respawn, restart',
    changed: 'd shows every difference · s saves the live session · r restores the checkpoint (asks to replace the live one)',
    healthy: 'Enter attaches · d diffs against the checkpoint',
    checking: 'the server is slow to answer; asking again',
    closed: 'it left on purpose: r restores it anyway · f forgets it (asks)',
  }[row.badge];
  out.push(fitLine([seg(`   ${hint}`, { dim: true })], width));

  const { record, loading } = savedRecord(row);
  const tree = treeOf(row, snapshot, record);
  const savedAt = row.newest?.createdAt ?? v.saved?.createdAt;
  out.push(fitLine([seg(v.liveSession ? ' Windows (live):' : ` Windows (from the checkpoint of ${savedAt ? localTime(savedAt) : '?'}):`, { bold: true })], width));
  if (tree.length === 0) {
    out.push(fitLine([seg(`   ${loading ? 'reading the checkpoint…' : 'no layout known'}`, { dim: true })], width));
  }
  const cwdWidth = Math.max(12, Math.floor(width * 0.3));
  const nameWidth = tree.reduce((n, w) => Math.max(n, ...w.panes.map((p) => textWidth(p.name))), 0) + 1;
  tree.forEach((w, wi) => {
    const lastW = wi === tree.length - 1;
    out.push(fitLine([seg(` ${lastW ? '└─' : '├─'} `), seg(`${w.index}: ${visible(w.name)}`, { bold: true }), seg(` (${count(w.panes.length, 'pane')})`, { dim: true })], width));
    w.panes.forEach((p, pi) => {
      const branch = `${lastW ? '   ' : ' │ '} ${pi === w.panes.length - 1 ? '└─' : '├─'} `;
      const cwd = fit(visible(shortPath(p.cwd, home)), cwdWidth);
      const line: Seg[] = [seg(branch), seg(fit(p.name, nameWidth), { dim: true }), seg(cwd), seg(' '), seg(visible(p.command), p.frozen ? { color: 'cyan', bold: true } : {})];
      if (p.frozen) line.push(seg(' ‖ frozen', { color: 'cyan' }));
      const last = lastCommand(p.saved);
      const used = line.reduce((n, s) => n + textWidth(s.text), 0);
      // The last command goes on its own line when it would not fit beside.
      if (last.length && used + last.reduce((n, s) => n + textWidth(s.text), 0) > width) {
        out.push(fitLine(line, width));
        out.push(fitLine([seg(`${lastW ? '   ' : ' │ '} ${pi === w.panes.length - 1 ? '  ' : '│ '}    `), ...last], width));
      } else {
        out.push(fitLine([...line, ...last], width));
      }
    });
  });
  // The active pane's screen, as captured from tmux (a running session only): taller than the panel, its bottom rows (the newest output, the prompt).
  if (v.liveSession && preview) {
    out.push(fitLine([seg(` Screen${preview.pane ? ` of ${preview.pane}` : ''}:`, { bold: true })], width));
    out.push(...screenLines(preview, width, Math.max(1, height - out.length)));
  }
  return out;
}

/** What each PTY state lets a person do, in words. */
const PTY_HINTS = {
  running: 'Enter attaches (Ctrl-\\ detaches) · x kills it (asks) · n creates another',
  exited: 'its program ended: x removes it · n creates another',
  revivable: 'its shell is gone: r revives it from its checkpoint (cwd, screen, last command typed, not run)',
  'host down': 'its shell still runs but the PTY host is down: r starts the host, which adopts it',
  'left down': 'it crashed too often and was left down: r tries again',
} as const;

/**
 * The detail panel of a PTY session: its state and facts, then a preview of
 * its screen. A screen taller than the panel's `height` keeps its bottom
 * rows (where a shell's prompt and cursor are) and says how many are above.
 */
export function ptyDetailLines(row: PtyRow, preview: ScreenPreview | null, width: number, height = Infinity): Line[] {
  const p = row.listing;
  const facts = [`${p.size.cols}×${p.size.rows}`, p.pid !== null ? `pid ${p.pid}` : null, p.clients > 0 ? `${count(p.clients, 'client')} attached` : 'not attached'].filter((x) => x !== null);
  const out: Line[] = [
    fitLine([seg(` ${visible(row.name)} `, { bold: true }), seg(ptyStateText(p), { color: PTY_STATE_COLORS[p.kind], bold: true }), seg(` · pty · ${facts.join(' · ')}`)], width),
  ];
  if (p.cwd) out.push(fitLine([seg('   · cwd: ', { dim: true }), seg(visible(p.cwd))], width));
  if (p.title) out.push(fitLine([seg('   · title: ', { dim: true }), seg(visible(p.title))], width));
  out.push(fitLine([seg(`   ${PTY_HINTS[p.kind]}`, { dim: true })], width));
  // Only a host holds the screen: a session listed from the checkpoint has none to show.
  if (p.kind !== 'running' && p.kind !== 'exited') return out;
  out.push(fitLine([seg(' Screen:', { bold: true })], width));
  if (!preview) out.push(fitLine([seg('   reading the screen…', { dim: true })], width));
  else out.push(...screenLines(preview, width, Math.max(1, height - out.length)));
  return out;
}

/** Does a row of a screen show nothing (only blanks with no background, inverse or underline)? */
const blankRow = (l: Line): boolean => l.every((s) => s.text.trim() === '' && !s.bg && !s.inverse && !s.underline);

/**
 * A screen preview's rows, each behind a rule and clipped to the panel, in
 * the colours and attributes the program drew them with; or why there is
 * none. The rows are cells already: nothing of the program's output is
 * written to the terminal but their text.
 */
function screenLines(preview: ScreenPreview, width: number, maxRows = Infinity): Line[] {
  if (preview.error !== null) return [fitLine([seg(`   no preview: ${visible(preview.error)}`, { color: 'yellow' })], width)];
  // Trailing blank rows of the screen say nothing.
  const lines = [...(preview.lines ?? [])];
  while (lines.length && blankRow(lines[lines.length - 1]!)) lines.pop();
  const room = Math.max(0, width - 3);
  const rows = lines.map((l) => fitLine([seg(' │ ', { dim: true }), ...fitLine(l, room)], width));
  if (rows.length <= maxRows) return rows;
  const shown = Math.max(1, maxRows - 1);
  return [fitLine([seg(` ⋮ ${count(rows.length - shown, 'row')} above`, { dim: true })], width), ...rows.slice(rows.length - shown)];
}
