/**
 * The interface's state and every change to it, as a pure reducer: what is
 * selected and focused, which panel and overlay show, what runs, and the last
 * result. The container dispatches; nothing here does I/O.
 */
import type { RepairEvent } from '../../sessions/repair/execute.js';
import type { RepairPlan } from '../../sessions/repair/plan.js';
import type { RestoreProgress } from '../../sessions/restore/transaction.js';
import type { DiffResult, RestorePreview, Snapshot } from './model.js';
import type { Tone } from './theme.js';

/** The panel under the list. */
export type Panel = 'detail' | 'timeline' | 'diff' | 'repair' | 'progress' | 'journal';

/** A question waiting for an answer. */
export interface Dialog {
  readonly id: number;
  readonly title: string;
  readonly lines: readonly string[];
  /** Label of each allowed answer; `skip` only where it means something. */
  readonly answers: { readonly yes: string; readonly no: string; readonly skip?: string };
  readonly tone: 'warning' | 'danger';
}

/** Restore progress, per session and window. */
export interface ProgressState {
  readonly checkpointId: string;
  readonly sessions: RestorePreview['sessions'];
  /** Session name → its phase. */
  readonly phases: ReadonlyMap<string, 'waiting' | 'build' | 'verify' | 'finalize' | 'commands' | 'done' | 'failed'>;
  readonly result: { readonly ok: boolean; readonly message: string } | null;
}

/** An unfreeze in progress or finished. */
export interface RepairState {
  readonly session: string;
  readonly plan: RepairPlan;
  readonly events: readonly RepairEvent[];
  readonly result: { readonly healed: boolean; readonly summary: string } | null;
}

/** Everything the interface shows. */
export interface TuiState {
  readonly snapshot: Snapshot | null;
  readonly selected: string | null;
  readonly focus: 'list' | 'panel';
  readonly panel: Panel;
  /** Index into the selected session's timeline. */
  readonly timelineIndex: number;
  /** First line shown of a scrolling panel. */
  readonly scroll: number;
  readonly filter: string;
  readonly filtering: boolean;
  readonly help: boolean;
  readonly dialog: Dialog | null;
  /** What runs now (restore, save, unfreeze…), or null. */
  readonly busy: string | null;
  readonly status: { readonly text: string; readonly tone: Tone } | null;
  readonly diff: { readonly session: string; readonly result: DiffResult | null } | null;
  readonly progress: ProgressState | null;
  readonly repair: RepairState | null;
}

/** Every change. */
export type Action =
  | { readonly type: 'snapshot'; readonly snapshot: Snapshot }
  | { readonly type: 'scroll'; readonly by: number }
  | { readonly type: 'move'; readonly by: number; readonly names: readonly string[]; readonly timelineLength: number }
  | { readonly type: 'select'; readonly name: string | null }
  | { readonly type: 'focus' }
  | { readonly type: 'panel'; readonly panel: Panel }
  | { readonly type: 'filter-start' }
  | { readonly type: 'filter-type'; readonly text: string }
  | { readonly type: 'filter-erase' }
  | { readonly type: 'filter-end'; readonly keep: boolean }
  | { readonly type: 'help'; readonly on: boolean }
  | { readonly type: 'dialog'; readonly dialog: Dialog | null }
  | { readonly type: 'busy'; readonly what: string | null }
  | { readonly type: 'status'; readonly text: string; readonly tone: Tone }
  | { readonly type: 'diff'; readonly session: string; readonly result: DiffResult | null }
  | { readonly type: 'progress-start'; readonly preview: RestorePreview; readonly sessions: readonly string[] }
  | { readonly type: 'progress'; readonly event: RestoreProgress }
  | { readonly type: 'progress-end'; readonly ok: boolean; readonly message: string }
  | { readonly type: 'repair-start'; readonly session: string; readonly plan: RepairPlan }
  | { readonly type: 'repair-event'; readonly event: RepairEvent }
  | { readonly type: 'repair-end'; readonly healed: boolean; readonly summary: string };

/** The state before anything is known (or with a first snapshot). */
export function initialState(snapshot: Snapshot | null = null, selected: string | null = null): TuiState {
  const first = snapshot?.report.sessions[0]?.session ?? null;
  return {
    snapshot,
    selected: selected ?? first,
    focus: 'list',
    panel: 'detail',
    timelineIndex: 0,
    scroll: 0,
    filter: '',
    filtering: false,
    help: false,
    dialog: null,
    busy: null,
    status: null,
    diff: null,
    progress: null,
    repair: null,
  };
}

/** Session names shown under `filter` (case-insensitive substring), in list order. */
export function visibleNames(s: Pick<TuiState, 'snapshot' | 'filter'>): string[] {
  const f = s.filter.toLowerCase();
  return (s.snapshot?.report.sessions ?? []).map((v) => v.session).filter((n) => !f || n.toLowerCase().includes(f));
}

const clamp = (n: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, n));

/** Keep the selection on a visible session (the same one when it still is). */
function reselect(s: TuiState): TuiState {
  const names = visibleNames(s);
  if (s.selected !== null && names.includes(s.selected)) return s;
  return { ...s, selected: names[0] ?? null, timelineIndex: 0, scroll: 0 };
}

/** Apply one change. */
export function reducer(s: TuiState, a: Action): TuiState {
  switch (a.type) {
    case 'snapshot': {
      const next = reselect({ ...s, snapshot: a.snapshot });
      // A deleted checkpoint may leave the timeline's choice past its end.
      const count = next.selected === null ? 0 : a.snapshot.checkpoints.filter((e) => e.sessions.includes(next.selected!)).length;
      return next.timelineIndex < count || next.timelineIndex === 0 ? next : { ...next, timelineIndex: Math.max(0, count - 1) };
    }
    case 'scroll':
      return { ...s, scroll: Math.max(0, s.scroll + a.by) };
    case 'move': {
      if (s.focus === 'panel' && s.panel === 'timeline') {
        return { ...s, timelineIndex: clamp(s.timelineIndex + a.by, 0, Math.max(0, a.timelineLength - 1)) };
      }
      if (s.focus === 'panel') return { ...s, scroll: Math.max(0, s.scroll + a.by) };
      if (a.names.length === 0) return s;
      const at = s.selected === null ? -1 : a.names.indexOf(s.selected);
      const next = a.names[clamp(at + a.by, 0, a.names.length - 1)] ?? null;
      // Diff, progress and unfreeze panels are about the session they were opened for.
      const panel = s.panel === 'timeline' ? 'timeline' : 'detail';
      return next === s.selected ? s : { ...s, selected: next, timelineIndex: 0, scroll: 0, diff: null, panel };
    }
    case 'select':
      return { ...s, selected: a.name, timelineIndex: 0, scroll: 0 };
    case 'focus':
      return { ...s, focus: s.focus === 'list' ? 'panel' : 'list' };
    case 'panel':
      return { ...s, panel: a.panel, scroll: 0, focus: a.panel === 'timeline' ? 'panel' : s.focus };
    case 'filter-start':
      return { ...s, filtering: true };
    case 'filter-type':
      return reselect({ ...s, filter: s.filter + a.text });
    case 'filter-erase':
      return reselect({ ...s, filter: [...s.filter].slice(0, -1).join('') });
    case 'filter-end':
      return reselect({ ...s, filtering: false, filter: a.keep ? s.filter : '' });
    case 'help':
      return { ...s, help: a.on, scroll: 0 };
    case 'dialog':
      return { ...s, dialog: a.dialog };
    case 'busy':
      return { ...s, busy: a.what };
    case 'status':
      return { ...s, status: { text: a.text, tone: a.tone } };
    case 'diff':
      return { ...s, diff: { session: a.session, result: a.result }, panel: 'diff', scroll: 0 };
    case 'progress-start':
      return {
        ...s,
        panel: 'progress',
        scroll: 0,
        progress: {
          checkpointId: a.preview.checkpointId,
          sessions: a.preview.sessions.filter((x) => a.sessions.includes(x.name)),
          phases: new Map(a.sessions.map((n) => [n, 'waiting' as const])),
          result: null,
        },
      };
    case 'progress': {
      if (!s.progress) return s;
      const phases = new Map(s.progress.phases);
      const e = a.event;
      if (e.phase === 'build' || e.phase === 'verify' || e.phase === 'finalize') {
        for (const n of e.sessions) phases.set(n, e.phase);
      } else if (e.phase === 'commands') {
        for (const [n, p] of phases) if (p === 'finalize') phases.set(n, 'commands');
      } else if (e.phase === 'done') {
        phases.set(e.session, 'done');
      }
      return { ...s, progress: { ...s.progress, phases } };
    }
    case 'progress-end': {
      if (!s.progress) return s;
      const phases = new Map(s.progress.phases);
      if (!a.ok) for (const [n, p] of phases) if (p !== 'done') phases.set(n, 'failed');
      return {
        ...s,
        progress: { ...s.progress, phases, result: { ok: a.ok, message: a.message } },
        status: { text: a.message, tone: a.ok ? 'ok' : 'error' },
      };
    }
    case 'repair-start':
      return { ...s, panel: 'repair', scroll: 0, repair: { session: a.session, plan: a.plan, events: [], result: null } };
    case 'repair-event':
      return s.repair ? { ...s, repair: { ...s.repair, events: [...s.repair.events, a.event] } } : s;
    case 'repair-end':
      return s.repair
        ? {
            ...s,
            repair: { ...s.repair, result: { healed: a.healed, summary: a.summary } },
            status: { text: a.summary, tone: a.healed ? 'ok' : 'error' },
          }
        : s;
  }
}
