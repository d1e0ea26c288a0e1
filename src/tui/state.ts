/**
 * The interface's state and every change to it, as a pure reducer: what is
 * selected and focused, which panel and overlay show, what runs, and the last
 * result. The container dispatches; nothing here does I/O.
 */
import type { RepairEvent } from '../../sessions/repair/execute.js';
import type { RepairPlan } from '../../sessions/repair/plan.js';
import type { RestoreProgress } from '../../sessions/restore/transaction.js';
import type { TimelineEntry } from '../ops/timeline.js';
import type { DiffResult, RestorePreview, Snapshot } from './model.js';
import type { Tone } from './theme.js';
import type { Line } from './view/line.js';
import { ptyKey } from './view/rows.js';

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

/** A line of text the person types (the name of a restored copy). */
export interface Prompt {
  readonly title: string;
  readonly text: string;
  /** What Enter does, in words. */
  readonly hint: string;
}

/** A field of a form: a line of text (its default shown as the placeholder while empty), or one of a few choices. */
export type FormField =
  | { readonly kind: 'text'; readonly key: string; readonly label: string; readonly text: string; readonly placeholder: string }
  | { readonly kind: 'choice'; readonly key: string; readonly label: string; readonly options: readonly string[]; readonly chosen: number };

/** What a form holds, by field key (a choice gives its option's text). */
export type FormValues = ReadonlyMap<string, string>;

/** Several fields the person fills in (a new PTY session): Tab moves between them, Enter submits, Esc cancels. */
export interface Form {
  readonly title: string;
  readonly fields: readonly FormField[];
  /** Index of the field being edited. */
  readonly focus: number;
  /** The one line saying what is wrong, and the field (key) it is about. */
  readonly error: { readonly field: string | null; readonly text: string } | null;
  /** What submitting does while it runs, in words ("creating the session"). */
  readonly working: string;
  /** Submitted: what runs now; keys wait. */
  readonly busy: string | null;
}

/** The values of a form's fields. */
export function formValues(form: Form): FormValues {
  return new Map(form.fields.map((f) => [f.key, f.kind === 'text' ? f.text : (f.options[f.chosen] ?? '')]));
}

/** The status line: a result or a hint, and what it is about. */
export interface Status {
  readonly text: string;
  readonly tone: Tone;
  /**
   * The session whose current state it describes ("api is not running"):
   * it is cleared once that session's state changes or another is selected.
   * Absent for results of work, which stay true as history.
   */
  readonly about?: string;
  /** That session's state when the line was set (sessionStamp). */
  readonly stamp?: string;
  /** A hint answering one key: cleared by the next key. */
  readonly transient?: boolean;
}

/** The selected session's timeline, as read for the checkpoints it had then. */
export interface TimelineState {
  readonly session: string;
  /** The checkpoint ids it was built from: a new or deleted checkpoint means reading it again. */
  readonly key: string;
  readonly entries: readonly TimelineEntry[] | null;
  readonly error: string | null;
}

/** Restore progress, per session and window. */
export interface ProgressState {
  readonly checkpointId: string;
  readonly createdAt: string;
  /** The copy's name, when restoring `--as`. */
  readonly as?: string;
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

/** The screen of the selected session (a PTY session's, or a tmux session's active pane), for the detail panel. */
export interface ScreenPreview {
  /** The row it belongs to (rowKey). */
  readonly key: string;
  /** For a tmux session: which pane (`api:0.1`). */
  readonly pane?: string;
  /** The screen's rows, styled as the program drew them (colours, bold, inverse…), not yet clipped to the panel. */
  readonly lines: readonly Line[] | null;
  readonly error: string | null;
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
  /** The journal entry under the cursor (0: newest). */
  readonly journalIndex: number;
  readonly timeline: TimelineState | null;
  readonly prompt: Prompt | null;
  readonly form: Form | null;
  readonly filter: string;
  readonly filtering: boolean;
  readonly help: boolean;
  readonly dialog: Dialog | null;
  /** What runs now (restore, save, unfreeze…), or null. */
  readonly busy: string | null;
  readonly status: Status | null;
  readonly diff: { readonly session: string; readonly result: DiffResult | null } | null;
  readonly progress: ProgressState | null;
  readonly repair: RepairState | null;
  readonly screenPreview: ScreenPreview | null;
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
  | { readonly type: 'status'; readonly text: string; readonly tone: Tone; readonly about?: string; readonly transient?: boolean }
  | { readonly type: 'key' }
  | { readonly type: 'prompt'; readonly prompt: Prompt | null }
  | { readonly type: 'prompt-type'; readonly text: string }
  | { readonly type: 'prompt-erase' }
  | { readonly type: 'form'; readonly form: Form | null }
  | { readonly type: 'form-type'; readonly text: string }
  | { readonly type: 'form-erase'; readonly all: boolean }
  | { readonly type: 'form-focus'; readonly by: number }
  | { readonly type: 'form-choose'; readonly by: number }
  | { readonly type: 'form-error'; readonly field: string | null; readonly text: string }
  | { readonly type: 'form-busy'; readonly what: string | null }
  | { readonly type: 'timeline'; readonly timeline: TimelineState }
  | { readonly type: 'journal-move'; readonly by: number; readonly count: number }
  | { readonly type: 'diff'; readonly session: string; readonly result: DiffResult | null }
  | { readonly type: 'progress-start'; readonly preview: RestorePreview; readonly sessions: readonly string[]; readonly as?: string }
  | { readonly type: 'progress'; readonly event: RestoreProgress }
  | { readonly type: 'progress-end'; readonly ok: boolean; readonly message: string }
  | { readonly type: 'repair-start'; readonly session: string; readonly plan: RepairPlan }
  | { readonly type: 'repair-event'; readonly event: RepairEvent }
  | { readonly type: 'repair-end'; readonly healed: boolean; readonly summary: string }
  | { readonly type: 'screen-preview'; readonly preview: ScreenPreview | null };

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
    journalIndex: 0,
    timeline: null,
    prompt: null,
    form: null,
    filter: '',
    filtering: false,
    help: false,
    dialog: null,
    busy: null,
    status: null,
    diff: null,
    progress: null,
    repair: null,
    screenPreview: null,
  };
}

/** Keys of the rows shown under `filter` (case-insensitive substring), in list order: tmux session names, then PTY sessions (ptyKey). */
export function visibleNames(s: Pick<TuiState, 'snapshot' | 'filter'>): string[] {
  const f = s.filter.toLowerCase();
  const shown = (n: string) => !f || n.toLowerCase().includes(f);
  return [...(s.snapshot?.report.sessions ?? []).map((v) => v.session).filter(shown), ...(s.snapshot?.pty?.sessions ?? []).map((p) => p.name).filter(shown).map(ptyKey)];
}

const clamp = (n: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, n));

/** What of a session a status line about it depends on: health, running, windows, panes. */
export function sessionStamp(snapshot: Snapshot | null, name: string): string {
  const v = snapshot?.report.sessions.find((x) => x.session === name);
  if (!v) return 'absent';
  const w = v.liveSession?.windows ?? v.saved?.record?.windows ?? [];
  return JSON.stringify([v.health, v.live, w.length, w.reduce((n, x) => n + x.panes.length, 0)]);
}

/** The status line, or null when what it describes has changed (or another session is selected). */
function freshStatus(s: TuiState): Status | null {
  const st = s.status;
  if (!st?.about) return st;
  if (s.selected !== st.about) return null;
  return sessionStamp(s.snapshot, st.about) === st.stamp ? st : null;
}

/** Keep the selection on a visible session (the same one when it still is). */
function reselect(s: TuiState): TuiState {
  const names = visibleNames(s);
  if (s.selected !== null && names.includes(s.selected)) return s;
  return { ...s, selected: names[0] ?? null, timelineIndex: 0, scroll: 0 };
}

/** The state with a status line that is still true. */
const withStatus = (s: TuiState): TuiState => ({ ...s, status: freshStatus(s) });

/** The focused text field typed into or erased (a choice is not typed into); an edit clears the error line once it was about this field. */
function editField(form: Form, a: Extract<Action, { type: 'form-type' } | { type: 'form-erase' }>): Form {
  const f = form.fields[form.focus];
  if (f?.kind !== 'text') return form;
  const text = a.type === 'form-type' ? f.text + a.text : a.all ? '' : [...f.text].slice(0, -1).join('');
  const error = form.error && (form.error.field === f.key || form.error.field === null) ? null : form.error;
  return { ...form, error, fields: form.fields.map((x, i) => (i === form.focus ? { ...f, text } : x)) };
}

/** Apply one change. */
export function reducer(s: TuiState, a: Action): TuiState {
  switch (a.type) {
    case 'snapshot': {
      const moved = reselect({ ...s, snapshot: a.snapshot });
      const next = { ...moved, status: freshStatus(moved) };
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
      const panel: Panel = s.panel === 'timeline' ? 'timeline' : 'detail';
      if (next === s.selected) return s;
      const moved = { ...s, selected: next, timelineIndex: 0, scroll: 0, diff: null, panel };
      return { ...moved, status: freshStatus(moved) };
    }
    case 'select': {
      const moved = { ...s, selected: a.name, timelineIndex: 0, scroll: 0 };
      return { ...moved, status: freshStatus(moved) };
    }
    case 'focus':
      return { ...s, focus: s.focus === 'list' ? 'panel' : 'list' };
    case 'panel':
      return { ...s, panel: a.panel, scroll: 0, focus: a.panel === 'timeline' ? 'panel' : s.panel === 'timeline' ? 'list' : s.focus };
    case 'filter-start':
      return { ...s, filtering: true };
    case 'filter-type':
      return withStatus(reselect({ ...s, filter: s.filter + a.text }));
    case 'filter-erase':
      return withStatus(reselect({ ...s, filter: [...s.filter].slice(0, -1).join('') }));
    case 'filter-end':
      return withStatus(reselect({ ...s, filtering: false, filter: a.keep ? s.filter : '' }));
    case 'help':
      return { ...s, help: a.on, scroll: 0 };
    case 'dialog':
      return { ...s, dialog: a.dialog };
    case 'busy':
      return { ...s, busy: a.what };
    case 'status':
      return {
        ...s,
        status: {
          text: a.text,
          tone: a.tone,
          ...(a.about !== undefined ? { about: a.about, stamp: sessionStamp(s.snapshot, a.about) } : {}),
          ...(a.transient ? { transient: true } : {}),
        },
      };
    case 'key':
      return s.status?.transient ? { ...s, status: null } : s;
    case 'prompt':
      return { ...s, prompt: a.prompt };
    case 'prompt-type':
      return s.prompt ? { ...s, prompt: { ...s.prompt, text: s.prompt.text + a.text } } : s;
    case 'prompt-erase':
      return s.prompt ? { ...s, prompt: { ...s.prompt, text: [...s.prompt.text].slice(0, -1).join('') } } : s;
    case 'form':
      return { ...s, form: a.form };
    case 'form-type':
    case 'form-erase':
      return s.form ? { ...s, form: editField(s.form, a) } : s;
    case 'form-focus':
      return s.form ? { ...s, form: { ...s.form, focus: (s.form.focus + a.by + s.form.fields.length) % s.form.fields.length } } : s;
    case 'form-choose': {
      const f = s.form?.fields[s.form.focus];
      if (!s.form || f?.kind !== 'choice') return s;
      const chosen = (f.chosen + a.by + f.options.length) % f.options.length;
      return { ...s, form: { ...s.form, fields: s.form.fields.map((x, i) => (i === s.form!.focus ? { ...f, chosen } : x)) } };
    }
    case 'form-error': {
      if (!s.form) return s;
      // The cursor goes to the field that is wrong.
      const at = a.field === null ? -1 : s.form.fields.findIndex((f) => f.key === a.field);
      return { ...s, form: { ...s.form, busy: null, error: { field: a.field, text: a.text }, focus: at >= 0 ? at : s.form.focus } };
    }
    case 'form-busy':
      return s.form ? { ...s, form: { ...s.form, busy: a.what } } : s;
    case 'timeline':
      return { ...s, timeline: a.timeline };
    case 'journal-move':
      return { ...s, journalIndex: clamp(s.journalIndex + a.by, 0, Math.max(0, a.count - 1)) };
    case 'diff':
      return { ...s, diff: { session: a.session, result: a.result }, panel: 'diff', scroll: 0 };
    case 'progress-start':
      return {
        ...s,
        panel: 'progress',
        scroll: 0,
        progress: {
          checkpointId: a.preview.checkpointId,
          createdAt: a.preview.createdAt,
          ...(a.as !== undefined ? { as: a.as } : {}),
          sessions: a.preview.sessions.filter((x) => a.sessions.includes(x.name)),
          phases: new Map(a.sessions.map((n) => [n, 'waiting' as const])),
          result: null,
        },
      };
    case 'progress': {
      if (!s.progress) return s;
      const phases = new Map(s.progress.phases);
      const e = a.event;
      // A copy (`--as`) may be reported under its new name: it is the one session restored.
      const own = (n: string) => (phases.has(n) ? n : s.progress!.as !== undefined ? (s.progress!.sessions[0]?.name ?? n) : n);
      if (e.phase === 'build' || e.phase === 'verify' || e.phase === 'finalize') {
        for (const n of e.sessions) if (phases.has(own(n))) phases.set(own(n), e.phase);
      } else if (e.phase === 'commands') {
        for (const [n, p] of phases) if (p === 'finalize') phases.set(n, 'commands');
      } else if (e.phase === 'done') {
        if (phases.has(own(e.session))) phases.set(own(e.session), 'done');
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
    case 'screen-preview':
      return { ...s, screenPreview: a.preview };
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
