/**
 * Fake TuiServices for component tests: a scripted snapshot per state
 * (healthy, changed, crashed, frozen), and a log of every call,
 * so tests see what the interface asked for without tmux or a store.
 */
import type { CheckpointBody } from '../../../checkpoints/schema.js';
import type { CheckpointEntry } from '../../../checkpoints/store.js';
import { classify, type Observation, type SavedSession } from '../../../sessions/health/classify.js';
import type { RepairEvent } from '../../../sessions/repair/execute.js';
import { planRepair, type RepairStep } from '../../../sessions/repair/plan.js';
import type { ActionResult, DiffResult, RestorePreview, RestoreRequest, Snapshot, TuiServices } from '../../../src/tui/model.js';
import { buildTimeline } from '../../../src/ops/timeline.js';
import type { FieldError, NewPtyRequest } from '../../../src/tui/new-pty-form.js';
import { sgrLine } from '../../../src/tui/view/sgr-line.js';
import { entry, liveServer, liveSession, observation, paneFacts, proc, recordOf, saved } from './fixtures.js';

/** A fixed clock for frames. */
export const NOW = Date.parse('2026-11-24T10:00:00Z');

/** One session per health state, plus two checkpoints. */
export function sampleSnapshot(): Snapshot {
  const api = liveSession('api', { editor: 2, logs: 1 });
  const web = liveSession('web', { main: 1 }, 0);
  const before = liveSession('db', { psql: 1, dump: 1 });
  const db = { ...before, windows: [before.windows[0]!] };
  const worker = liveSession('worker', { run: 1 });
  const live = liveServer([api, web, db, worker]);
  const base = observation(live);
  const wp = worker.windows[0]!.panes[0]!;
  const obs: Observation = {
    ...base,
    panes: base.panes.map((p) => (p.paneId === wp.id ? paneFacts('worker', wp, { fgPgid: 700, fgCommand: 'sleep 1000', stopped: [proc(701, 'sleep', 'T', { wchan: 'do_signal_stop' })] }) : p)),
  };
  const oldRecord = { ...recordOf(before), name: 'gone' };
  oldRecord.windows[0]!.panes[0]!.lastCommand = { commandLine: 'make test', trusted: true, exitCode: 2, durationMs: 1200, source: 'osc633-trusted' };
  const savedMap = new Map<string, SavedSession>([
    ['api', saved(recordOf(api), 'cp-new', '2026-11-24T09:55:00Z')],
    ['db', saved(recordOf(before), 'cp-new', '2026-11-24T09:55:00Z')],
    ['gone', saved(oldRecord, 'cp-new', '2026-11-24T09:55:00Z')],
  ]);
  const checkpoints: CheckpointEntry[] = [
    entry('cp-new', '2026-11-24T09:55:00Z', ['api', 'db', 'gone']),
    entry('cp-bad', '2026-11-24T09:40:00Z', ['gone'], { valid: false, error: 'truncated' }),
    entry('cp-old', '2026-11-24T09:00:00Z', ['api', 'gone']),
  ];
  return { at: NOW, report: classify(obs, savedMap), checkpoints, panes: obs.panes, problem: null };
}

/** PTY sessions in each state `tsession list` shows. */
export function samplePty(): NonNullable<Snapshot['pty']> {
  const base = { exitCode: null, pid: null, cwd: '/home/ann', title: '', clients: 0, size: { cols: 80, rows: 24 } };
  return {
    hostRunning: true,
    sessions: [
      { ...base, name: 'shell', kind: 'running', pid: 5150, title: 'ann@box: ~' },
      { ...base, name: 'build', kind: 'exited', exitCode: 3 },
      { ...base, name: 'notes', kind: 'revivable' },
    ],
  };
}

/** The sample with PTY sessions beside the tmux ones. */
export const sampleWithPty = (): Snapshot => ({ ...sampleSnapshot(), pty: samplePty() });

/** The body of checkpoint `id` holding the sessions of the sample. */
export function sampleBody(id: string): CheckpointBody {
  const snap = sampleSnapshot();
  return {
    id,
    createdAt: '2026-11-24T09:55:00Z',
    host: 'test',
    tmuxVersion: '3.3a',
    tsessionVersion: '0.1.0',
    server: { socketPath: '/tmp/tmux-0/test', label: '-L test' },
    sessions: snap.report.sessions.flatMap((v) => (v.saved?.record ? [v.saved.record] : [])),
  };
}

/** A call the interface made. */
export type Call = { readonly name: string; readonly args: readonly unknown[] };

/** Fake services; `over` replaces any method. */
export function fakeServices(over: Partial<TuiServices> = {}, snapshot: Snapshot = sampleSnapshot()): TuiServices & { calls: Call[]; current: Snapshot } {
  const calls: Call[] = [];
  const log = (name: string, ...args: unknown[]) => calls.push({ name, args });
  const svc: TuiServices & { calls: Call[]; current: Snapshot } = {
    calls,
    current: snapshot,
    info: { serverLabel: '-L test', socketPath: '/tmp/tmux-0/test', stateDir: '/state', ownPane: null, home: '/home/ann' },
    async quick(): Promise<Snapshot> {
      log('quick');
      return svc.current;
    },
    async refresh(): Promise<Snapshot> {
      log('refresh');
      return svc.current;
    },
    async checkpoint(id: string) {
      log('checkpoint', id);
      return { ok: true as const, body: sampleBody(id) };
    },
    async diff(session: string, id: string): Promise<DiffResult> {
      log('diff', session, id);
      return { kind: 'differences', checkpointId: id, differences: [{ kind: 'window-missing', where: `${session}:1`, saved: 'dump', live: '(none)' }] };
    },
    async previewRestore(req: RestoreRequest): Promise<RestorePreview | ActionResult> {
      log('previewRestore', req);
      return {
        checkpointId: req.checkpointId,
        createdAt: svc.current.checkpoints.find((e) => e.id === req.checkpointId)?.createdAt ?? '2026-11-24T09:55:00Z',
        sessions: req.sessions.map((name) => ({ name, windows: [{ index: 0, name: 'psql' }, { index: 1, name: 'dump' }], panes: 2 })),
        unlisted: [],
        running: req.as !== undefined ? [] : req.sessions.filter((n) => snapshot.report.sessions.some((v) => v.session === n && v.live)),
        ...(req.as !== undefined ? { as: req.as } : {}),
      };
    },
    async restore(req: RestoreRequest, approve: boolean, onProgress: Parameters<TuiServices['restore']>[2]): Promise<ActionResult> {
      log('restore', req, approve);
      onProgress({ phase: 'plan', sessions: req.sessions.length, panes: 2 });
      onProgress({ phase: 'build', sessions: [...req.sessions] });
      for (const s of req.sessions) onProgress({ phase: 'done', session: s, windows: 2, panes: 2 });
      return { ok: true, message: `restored ${req.sessions.join(', ')} (2 windows, 2 panes) — from ${req.checkpointId}` };
    },
    async restoreDetached(req: RestoreRequest): Promise<ActionResult> {
      log('restoreDetached', req);
      return { ok: true, message: `restoring ${req.sessions.join(', ')} in process 4242` };
    },
    async timeline(session: string, entries: readonly CheckpointEntry[]) {
      log('timeline', session);
      // The real pure timeline over scripted history: the oldest api lacks its logs window.
      return buildTimeline(
        entries.map((e) => {
          const record = e.valid ? (sampleBody(e.id).sessions.find((x) => x.name === session) ?? null) : null;
          const older = e.id === 'cp-old' && record ? { ...record, windows: record.windows.slice(0, 1) } : record;
          return { id: e.id, createdAt: e.createdAt, cause: e.id === 'cp-old' ? ('interval' as const) : ('change' as const), record: older };
        }),
        '/home/ann',
      );
    },
    async save(): Promise<ActionResult> {
      log('save');
      return { ok: true, message: 'saved checkpoint cp-newest (4 sessions, 6 panes)' };
    },
    async removeCheckpoint(id: string): Promise<ActionResult> {
      log('removeCheckpoint', id);
      return { ok: true, message: `deleted checkpoint ${id}` };
    },
    async forgetSession(name: string): Promise<ActionResult> {
      log('forgetSession', name);
      return { ok: true, message: `forgot ${name}` };
    },
    async newPty(request: NewPtyRequest): Promise<ActionResult | ({ ok: false } & FieldError)> {
      log('newPty', request);
      // What the real services find on the file system, for the form to say under its field.
      if (request.cwd === '/nonexistent') return { ok: false, field: 'cwd', message: 'no directory /nonexistent' };
      return { ok: true, message: `created the PTY session ${request.name} (pid 4343)` };
    },
    async killPty(name: string): Promise<ActionResult> {
      log('killPty', name);
      return { ok: true, message: `killed the PTY session ${name}` };
    },
    async revivePty(): Promise<ActionResult> {
      log('revivePty');
      return { ok: true, message: 'the PTY host runs: 1 session running' };
    },
    async previewTmux(session: string) {
      log('previewTmux', session);
      return { pane: `${session}:0.0`, lines: [`${session} $ make`, '\x1b[32mbuilt\x1b[0m', ''].map(sgrLine) };
    },
    async previewPty(name: string) {
      log('previewPty', name);
      return [`\x1b[1;34m${name}$\x1b[0m echo hello`, '\x1b[31mhello\x1b[0m', `${name}$ `, '', ''].map(sgrLine);
    },
    planUnfreeze(verdict: Parameters<TuiServices['planUnfreeze']>[0]) {
      log('planUnfreeze', verdict.session);
      return planRepair(verdict, { paneCwd: () => '/srv', serverSessions: ['api'] });
    },
    async unfreeze(plan: Parameters<TuiServices['unfreeze']>[0], confirm: (s: RepairStep) => Promise<boolean>, onEvent: (e: RepairEvent) => void) {
      log('unfreeze', plan.session);
      const events: RepairEvent[] = [];
      for (const step of plan.steps) {
        if (step.destructive && !(await confirm(step))) {
          const e = { step, phase: 'declined' as const, detail: 'not confirmed', ms: 0 };
          events.push(e);
          onEvent(e);
          return { healed: false, declined: true, events, summary: `${plan.session}: still frozen` };
        }
        const e = { step, phase: 'healed' as const, detail: 'sent SIGCONT', ms: 3 };
        events.push(e);
        onEvent(e);
        return { healed: true, declined: false, events, summary: `${plan.session}: healthy again` };
      }
      return { healed: true, declined: false, events, summary: 'nothing to do' };
    },
    ...over,
  };
  return svc;
}
