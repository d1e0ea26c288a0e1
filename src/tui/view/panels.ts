/**
 * The other panels under the list: the checkpoint timeline, the diff against
 * a checkpoint, restore progress per session and window, and the unfreeze
 * ladder with what each rung did.
 */
import type { CheckpointEntry } from '../../../checkpoints/store.js';
import type { DiffResult, ShownEntry } from '../model.js';
import type { ProgressState, RepairState, TimelineState } from '../state.js';
import { differenceText } from '../../ops/diff-words.js';
import { CAUSE_WORDS, changeSummary } from '../../ops/timeline.js';
import { formatEntry } from '../../ops/journal.js';
import { fitLine, seg, type Line } from './line.js';
import { age, count, visible } from '../../../checkpoints/words.js';
import { fit, fitRight, size, wrap } from './text.js';


const pad2 = (n: number) => String(n).padStart(2, '0');

/** Local "2026-11-24 10:41:03". */
export function localTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** "09:41:03" for a time of today (local), else "11-24 09:41": the timeline's column. */
export function shortTime(iso: string, now: number): string {
  const full = localTime(iso);
  return full.slice(0, 10) === localTime(new Date(now).toISOString()).slice(0, 10) ? full.slice(11) : full.slice(5, 16);
}

/** Lines of a panel, and which line the cursor is on (kept in view), if any. */
export interface PanelLines {
  readonly lines: Line[];
  readonly focusLine: number | null;
}

/**
 * The timeline: newest first, each checkpoint by time, age, cause, pane
 * count, programs and what changed since the one before; one that looks
 * wrong is marked ⚠ in red. The chosen one shows its id (y copies it).
 */
export function timelineLines(
  session: string | null,
  entries: readonly CheckpointEntry[],
  timeline: TimelineState | null,
  chosen: number,
  focused: boolean,
  width: number,
  now: number,
): PanelLines {
  if (!session) return { lines: [fitLine([seg('  no session selected', { dim: true })], width)], focusLine: null };
  const out: Line[] = [
    fitLine([seg(` Checkpoints of ${visible(session)}, newest first`, { bold: true }), seg(' — ↑/↓ choose · r/Enter restore · a restore a copy · y copy id · x delete', { dim: true })], width),
  ];
  if (entries.length === 0) {
    out.push(fitLine([seg('   no checkpoint holds this session — s saves one now', { dim: true })], width));
    return { lines: out, focusLine: null };
  }
  const described = timeline?.session === session && timeline.entries ? new Map(timeline.entries.map((t) => [t.id, t])) : null;
  if (timeline?.session === session && timeline.error) out.push(fitLine([seg(`   could not read the history: ${visible(timeline.error)}`, { color: 'red' })], width));
  let focusLine: number | null = null;
  entries.forEach((e, i) => {
    const mark = i === chosen;
    if (mark) focusLine = out.length;
    const t = described?.get(e.id);
    const when = seg(`${shortTime(e.createdAt, now)} ${fitRight(`${age(now - Date.parse(e.createdAt))} ago`, 8)}`, mark && focused ? { inverse: true } : {});
    const head = [seg(mark ? ' ▶ ' : '   ', { bold: true }), when, seg('  ')];
    if (!e.valid) {
      out.push(fitLine([...head, seg(`INVALID: ${e.error ?? 'unreadable'}`, { color: 'red', bold: true })], width));
    } else if (!t) {
      out.push(fitLine([...head, seg(described ? '' : 'reading…', { dim: true }), seg(`${e.panes} panes in all sessions`, { dim: true })], width));
    } else {
      const cause = seg(fit(CAUSE_WORDS[t.cause], 16), { color: t.cause === 'by-hand' ? 'magenta' : t.cause === 'after-restore' ? 'cyan' : t.cause === 'unknown' ? 'gray' : 'blue' });
      const shape = seg(` ${fitRight(count(t.panes ?? 0, 'pane'), 8)}  `);
      const programs = seg(fit(t.programs.length ? t.programs.map(visible).join(', ') : 'shells', width < 100 ? 10 : 16), t.programs.length ? {} : { dim: true });
      const changes = t.changes === null ? seg('  (oldest)', { dim: true }) : seg(`  ${visible(changeSummary(t.changes))}`, t.changes.some((c) => c.loss) ? { color: 'yellow' } : t.changes.length ? {} : { dim: true });
      out.push(fitLine([...head, cause, shape, programs, changes], width));
      // A checkpoint that looks wrong says so on a line of its own, never cut off.
      if (t.suspect) out.push(fitLine([seg(`      ⚠ ${visible(t.suspect)}`, { color: 'red', bold: true })], width));
    }
    if (mark) {
      const facts = [`id ${e.id}`, size(e.bytes), e.meaningful ? null : 'only tmux\'s start-up session', e.sessions.length > 1 ? `with ${e.sessions.filter((n) => n !== session).map(visible).join(', ')}` : null].filter(Boolean).join(' · ');
      out.push(fitLine([seg(`      ${facts}`, { dim: true })], width));
    }
  });
  return { lines: out, focusLine };
}

/** The diff panel. */
export function diffLines(session: string | null, diff: DiffResult | null, width: number): Line[] {
  const title = fitLine([seg(` What restoring ${visible(session ?? '')} would change`, { bold: true })], width);
  if (!diff) return [title, fitLine([seg('   comparing with the checkpoint…', { dim: true })], width)];
  switch (diff.kind) {
    case 'error':
      return [title, fitLine([seg(`   ${diff.message}`, { color: 'red' })], width)];
    case 'not-saved':
      return [title, fitLine([seg('   no checkpoint holds this session: nothing to restore (s saves one)', { dim: true })], width)];
    case 'not-running':
      return [
        title,
        fitLine([seg('   not running: restoring creates '), seg(`${count(diff.windows, 'window')}, ${count(diff.panes, 'pane')}`, { color: 'green' })], width),
      ];
    case 'differences': {
      const out = [title];
      if (diff.differences.length === 0) out.push(fitLine([seg('   = the live session matches the checkpoint', { color: 'green' })], width));
      for (const d of diff.differences) {
        const sign = d.kind === 'window-missing' ? '+' : d.kind === 'window-extra' ? '-' : '~';
        const color = sign === '+' ? 'green' : sign === '-' ? 'red' : 'yellow';
        out.push(fitLine([seg(`   ${sign} `, { color, bold: true }), seg(differenceText(d))], width));
      }
      return out;
    }
  }
}

const PHASE_TEXT = {
  waiting: '… waiting',
  build: '… building',
  verify: '… verifying',
  finalize: '… renaming into place',
  commands: '… typing saved commands',
  done: '✓ restored',
  failed: '✗ failed (rolled back)',
} as const;

/** Restore progress: each session's phase and each of its windows. */
export function progressLines(p: ProgressState | null, width: number): Line[] {
  if (!p) return [];
  const out: Line[] = [fitLine([seg(` Restoring ${p.as !== undefined ? `a copy as ${visible(p.as)} ` : ''}from the checkpoint of ${localTime(p.createdAt)}`, { bold: true })], width)];
  for (const s of p.sessions) {
    const phase = p.phases.get(s.name) ?? 'waiting';
    const color = phase === 'done' ? 'green' : phase === 'failed' ? 'red' : 'yellow';
    out.push(fitLine([seg(`   ${visible(s.name)}  `, { bold: true }), seg(PHASE_TEXT[phase], { color })], width));
    for (const w of s.windows) {
      const mark = phase === 'done' ? '✓' : phase === 'failed' ? '✗' : phase === 'waiting' ? '·' : '…';
      out.push(fitLine([seg(`     ${mark} `, { color }), seg(`window ${w.index}: ${visible(w.name)}`)], width));
    }
  }
  if (p.result) out.push(fitLine([seg(` ${p.result.message}`, { color: p.result.ok ? 'green' : 'red', bold: true })], width));
  return out;
}

const EVENT_MARK = {
  start: { mark: '…', color: 'yellow' },
  healed: { mark: '✓', color: 'green' },
  'not-healed': { mark: '·', color: 'yellow' },
  failed: { mark: '✗', color: 'red' },
  declined: { mark: '✗', color: 'gray' },
  skipped: { mark: '-', color: 'gray' },
} as const;

/** The unfreeze ladder: every rung, what happened to it, what was skipped and why. */
export function repairLines(r: RepairState | null, width: number): Line[] {
  if (!r) return [];
  const out: Line[] = [fitLine([seg(` Unfreeze ${visible(r.session)}`, { bold: true }), seg(' — gentlest first; destructive steps ask', { dim: true })], width)];
  if (r.plan.steps.length === 0) out.push(fitLine([seg('   nothing to do: the session is not frozen', { dim: true })], width));
  for (const s of r.plan.steps) {
    const events = r.events.filter((e) => e.step === s);
    const last = events[events.length - 1];
    const m = last ? EVENT_MARK[last.phase] : { mark: '·', color: 'gray' as const };
    out.push(fitLine([seg(`   ${m.mark} `, { color: m.color, bold: true }), seg(s.title), ...(s.destructive ? [seg(' [asks]', { color: 'red' })] : [])], width));
    if (last && last.phase !== 'start') out.push(fitLine([seg(`       ${last.detail} (${last.ms} ms)`, { dim: true })], width));
  }
  for (const k of r.plan.skipped) out.push(fitLine([seg('   - ', { color: 'gray' }), seg(`skipped: ${k.title} — ${k.why}`, { dim: true })], width));
  if (r.result) out.push(fitLine([seg(` ${r.result.summary}`, { color: r.result.healed ? 'green' : 'red', bold: true })], width));
  return out;
}

/** How many entries the journal panel lists. */
export const journalCount = (entries: readonly ShownEntry[] | null): number => entries?.length ?? 0;

/**
 * The journal, newest first, every entry whole: its line wrapped, its
 * evidence under it. Detections in yellow, failures in red; the entry under
 * the cursor is marked ▶ (inverse while the panel has the focus).
 */
export function journalLines(entries: readonly ShownEntry[] | null, cursor: number, focused: boolean, width: number): PanelLines {
  const out: Line[] = [fitLine([seg(' Journal of this server and the PTY host (pty), newest first', { bold: true }), seg(' — what tsession noticed and did (tsession log) · Tab, then ↑/↓', { dim: true })], width)];
  if (entries === null) return { lines: [...out, fitLine([seg('   reading the journal…', { dim: true })], width)], focusLine: null };
  if (entries.length === 0) return { lines: [...out, fitLine([seg('   empty: nothing journaled yet (tsession --watch journals what it notices; restores and unfreezes are journaled too)', { dim: true })], width)], focusLine: null };
  let focusLine: number | null = null;
  [...entries].reverse().forEach((e, i) => {
    const mark = i === cursor;
    if (mark) focusLine = out.length;
    const tone = e.result === 'failed' ? { color: 'red' as const, bold: true } : e.kind === 'detected' ? { color: 'yellow' as const } : {};
    const [head = '', ...evidence] = formatEntry({ ...e, at: localTime(e.at) }, e.source).split('\n');
    wrap(head, Math.max(10, width - 6)).forEach((part, j) => {
      const lead = j === 0 ? (mark ? ' ▶ ' : '   ') : '     ';
      out.push(fitLine([seg(lead, { bold: true }), seg(part, { ...tone, ...(mark && focused ? { inverse: true } : {}) })], width));
    });
    for (const line of evidence) for (const part of wrap(line.trim(), Math.max(10, width - 8))) out.push(fitLine([seg(`       ${part}`, { dim: true })], width));
  });
  return { lines: out, focusLine };
}
