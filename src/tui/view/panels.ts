/**
 * The other panels under the list: the checkpoint timeline, the diff against
 * a checkpoint, restore progress per session and window, and the unfreeze
 * ladder with what each rung did.
 */
import type { CheckpointEntry } from '../../../checkpoints/store.js';
import type { DiffResult } from '../model.js';
import type { ProgressState, RepairState } from '../state.js';
import { formatEntry, type JournalEntry } from '../../ops/journal.js';
import { fitLine, seg, type Line } from './line.js';
import { age, visible } from '../../../checkpoints/words.js';
import { fit, size } from './text.js';

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Local "2026-11-24 10:41:03". */
export function localTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** The timeline: newest first, the chosen one marked. */
export function timelineLines(session: string | null, entries: readonly CheckpointEntry[], chosen: number, focused: boolean, width: number, now: number): Line[] {
  if (!session) return [fitLine([seg('  no session selected', { dim: true })], width)];
  const out: Line[] = [
    fitLine([seg(` Checkpoints of ${visible(session)}, newest first`, { bold: true }), seg(' — ↑/↓ choose · r or Enter restores from it · x deletes it', { dim: true })], width),
  ];
  if (entries.length === 0) {
    out.push(fitLine([seg('   no checkpoint holds this session — s saves one now', { dim: true })], width));
    return out;
  }
  entries.forEach((e, i) => {
    const mark = i === chosen;
    const valid = e.valid
      ? seg(fit(e.meaningful ? 'valid' : 'valid (default only)', 20), { color: 'green' })
      : seg(fit(`INVALID: ${e.error ?? 'unreadable'}`, 20), { color: 'red', bold: true });
    out.push(
      fitLine(
        [
          seg(mark ? ' ▶ ' : '   ', { bold: true }),
          seg(`${localTime(e.createdAt)}  ${fit(`${age(now - Date.parse(e.createdAt))} ago`, 9)} ${fit(size(e.bytes), 7)} `, mark && focused ? { inverse: true } : {}),
          valid,
          seg(` ${e.id}`, { dim: true }),
        ],
        width,
      ),
    );
  });
  return out;
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
        fitLine([seg(`   not running: restoring from ${diff.checkpointId} creates `), seg(`${diff.windows} window(s), ${diff.panes} pane(s)`, { color: 'green' })], width),
      ];
    case 'differences': {
      const out = [fitLine([title[0]!, seg(` (checkpoint ${diff.checkpointId})`, { dim: true })], width)];
      if (diff.differences.length === 0) out.push(fitLine([seg('   = the live session matches the checkpoint', { color: 'green' })], width));
      for (const d of diff.differences) {
        const sign = d.kind === 'window-missing' ? '+' : d.kind === 'window-extra' ? '-' : '~';
        const color = sign === '+' ? 'green' : sign === '-' ? 'red' : 'yellow';
        const what =
          d.kind === 'window-missing'
            ? `window ${visible(d.where)} "${visible(d.saved)}" is gone: restoring brings it back`
            : d.kind === 'window-extra'
              ? `window ${visible(d.where)} "${visible(d.live)}" is not in the checkpoint`
              : `${d.kind} ${visible(d.where)}: live ${visible(d.live)} → saved ${visible(d.saved)}`;
        out.push(fitLine([seg(`   ${sign} `, { color, bold: true }), seg(what)], width));
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
  const out: Line[] = [fitLine([seg(` Restoring from checkpoint ${p.checkpointId}`, { bold: true })], width)];
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

/** Journal lines: newest first, detections in yellow, failures in red, evidence indented under each. */
export function journalLines(entries: readonly JournalEntry[] | null, width: number): Line[] {
  const out: Line[] = [fitLine([seg(' Journal of this server, newest first', { bold: true }), seg(' — what tsession --watch noticed and did (tsession log)', { dim: true })], width)];
  if (entries === null) return [...out, fitLine([seg('   reading the journal…', { dim: true })], width)];
  if (entries.length === 0) return [...out, fitLine([seg('   empty: no watch daemon has written here (tsession --watch)', { dim: true })], width)];
  for (const e of [...entries].reverse()) {
    const tone = e.result === 'failed' ? { color: 'red' as const, bold: true } : e.kind === 'detected' ? { color: 'yellow' as const } : {};
    const [head = '', ...evidence] = formatEntry({ ...e, at: localTime(e.at) }).split('\n');
    out.push(fitLine([seg(`   ${visible(head)}`, tone)], width));
    for (const line of evidence) out.push(fitLine([seg(`   ${visible(line)}`, { dim: true })], width));
  }
  return out;
}
