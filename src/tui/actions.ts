/**
 * What each main-screen command does: moves, panels, and the work (restore,
 * save, diff, unfreeze, delete, forget) with its questions and its result line.
 * No React here: the container hands in dispatch, the state, a way to ask,
 * and the services. Work never throws into the interface; every failure ends
 * as a status line.
 */
import type { RepairStep } from '../../sessions/repair/plan.js';
import type { Command } from './key-bindings.js';
import type { RestorePreview, TuiServices } from './model.js';
import { visibleNames, type Action, type Dialog, type TuiState } from './state.js';
import { checkpointsOf, sessionRows, type SessionRow } from './view/rows.js';
import { age } from '../../checkpoints/words.js';
import { errorMessage } from '../../checkpoints/result.js';

/** An answer to a question. */
export type Answer = 'yes' | 'skip' | 'no';

/** What the actions need from the container. */
export interface ActionDeps {
  readonly services: TuiServices;
  dispatch(a: Action): void;
  getState(): TuiState;
  ask(d: Omit<Dialog, 'id'>): Promise<Answer>;
  refreshNow(): void;
  pauseRefresh(on: boolean): void;
  attach(session: string): void;
  quit(): void;
  now(): number;
}

/** Commands of the main scope. */
export type MainCommand = Extract<Command, 'up' | 'down' | 'switch-pane' | 'attach' | 'restore' | 'restore-all' | 'save' | 'diff' | 'timeline' | 'journal' | 'unfreeze' | 'delete-checkpoint' | 'forget' | 'filter' | 'help' | 'quit' | 'force-quit'>;

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;

/** The actions. */
export function createActions(deps: ActionDeps): Record<MainCommand, () => void | Promise<void>> {
  const { services, dispatch } = deps;
  const status = (text: string, tone: 'info' | 'ok' | 'error' | 'busy' = 'info') => dispatch({ type: 'status', text, tone });

  const selectedRow = (): SessionRow | null => {
    const s = deps.getState();
    return sessionRows(s.snapshot, s.filter).find((r) => r.name === s.selected) ?? null;
  };
  /** The checkpoint to act on: the one chosen in the timeline, else the newest valid one. */
  const chosenCheckpoint = (row: SessionRow) => {
    const s = deps.getState();
    if (s.panel === 'timeline' && s.snapshot) return checkpointsOf(s.snapshot, row.name)[s.timelineIndex] ?? null;
    return row.newest;
  };
  const refuseWhileBusy = (): boolean => {
    const busy = deps.getState().busy;
    if (busy) status(`wait: ${busy} is still running`, 'busy');
    return busy !== null;
  };

  /** Preview, ask (replace? approve unlisted commands?), then restore with progress. */
  const restoreFrom = async (checkpointId: string, sessions: readonly string[]): Promise<void> => {
    dispatch({ type: 'busy', what: 'preparing the restore' });
    try {
      const preview = await services.previewRestore({ checkpointId, sessions, replace: false });
      if (!('checkpointId' in preview)) {
        status(preview.message, 'error');
        return;
      }
      // No "busy" while a question waits: the answer is the person's to give.
      dispatch({ type: 'busy', what: null });
      let replace = false;
      if (preview.running.length) {
        const a = await deps.ask({
          title: `${preview.running.join(', ')} ${preview.running.length === 1 ? 'is' : 'are'} running. Replace with checkpoint ${preview.checkpointId}?`,
          lines: ['The running session is killed and rebuilt from the checkpoint; its unsaved state is lost.'],
          answers: { yes: 'replace it', no: 'cancel' },
          tone: 'danger',
        });
        if (a !== 'yes') return status('restore cancelled');
        replace = true;
      }
      const answer = await deps.ask(restoreQuestion(preview, deps.now()));
      if (answer === 'no') return status('restore cancelled');
      dispatch({ type: 'busy', what: 'restoring' });
      dispatch({ type: 'progress-start', preview, sessions });
      const result = await services.restore({ checkpointId, sessions, replace }, answer === 'yes', (p) => dispatch({ type: 'progress', event: p }));
      dispatch({ type: 'progress-end', ok: result.ok, message: result.message });
    } catch (e) {
      status(`restore failed: ${errorMessage(e)}`, 'error');
    } finally {
      dispatch({ type: 'busy', what: null });
      deps.refreshNow();
    }
  };

  const move = (by: number) => {
    const s = deps.getState();
    const timelineLength = s.snapshot && s.selected ? checkpointsOf(s.snapshot, s.selected).length : 0;
    dispatch({ type: 'move', by, names: visibleNames(s), timelineLength });
  };

  const actions: Record<MainCommand, () => void | Promise<void>> = {
    up: () => move(-1),
    down: () => move(1),
    'switch-pane': () => dispatch({ type: 'focus' }),
    filter: () => dispatch({ type: 'filter-start' }),
    help: () => dispatch({ type: 'help', on: true }),
    quit: () => {
      if (deps.getState().busy === 'restoring') return status('a restore is running: q after it ends (Ctrl-C quits anyway)', 'busy');
      deps.quit();
    },
    'force-quit': () => deps.quit(),
    timeline: () => dispatch({ type: 'panel', panel: deps.getState().panel === 'timeline' ? 'detail' : 'timeline' }),
    journal: () => dispatch({ type: 'panel', panel: deps.getState().panel === 'journal' ? 'detail' : 'journal' }),

    attach: () => {
      const s = deps.getState();
      if (s.panel === 'timeline' && s.focus === 'panel') return void actions.restore();
      const row = selectedRow();
      if (!row) return status('no session selected');
      if (s.snapshot?.report.server.state === 'frozen') return status('the tmux server is frozen: u unfreezes it first', 'error');
      if (!row.verdict.liveSession) return status(`${row.name} is not running: r restores it`, 'error');
      deps.attach(row.name);
    },

    restore: async () => {
      if (refuseWhileBusy()) return;
      const row = selectedRow();
      if (!row) return status('no session selected');
      const cp = chosenCheckpoint(row);
      if (!cp) return status(`no valid checkpoint holds ${row.name}; s saves one while it runs`, 'error');
      if (!cp.valid) return status(`checkpoint ${cp.id} is invalid (${cp.error ?? 'unreadable'}); choose another in the timeline (t)`, 'error');
      await restoreFrom(cp.id, [row.name]);
    },

    'restore-all': async () => {
      if (refuseWhileBusy()) return;
      const s = deps.getState();
      const crashed = sessionRows(s.snapshot, '').filter((r) => r.badge === 'crashed' && r.newest);
      if (crashed.length === 0) return status('no crashed session to restore');
      // Sessions saved together are restored together, from their newest checkpoint.
      const groups = new Map<string, string[]>();
      for (const r of crashed) groups.set(r.newest!.id, [...(groups.get(r.newest!.id) ?? []), r.name]);
      for (const [id, names] of groups) await restoreFrom(id, names);
    },

    save: async () => {
      if (refuseWhileBusy()) return;
      dispatch({ type: 'busy', what: 'saving' });
      try {
        const r = await services.save();
        status(r.message, r.ok ? 'ok' : 'error');
      } finally {
        dispatch({ type: 'busy', what: null });
        deps.refreshNow();
      }
    },

    diff: async () => {
      const s = deps.getState();
      if (s.panel === 'diff') return dispatch({ type: 'panel', panel: 'detail' });
      const row = selectedRow();
      if (!row) return status('no session selected');
      const cp = chosenCheckpoint(row);
      if (!cp) return dispatch({ type: 'diff', session: row.name, result: { kind: 'not-saved' } });
      dispatch({ type: 'diff', session: row.name, result: null });
      const result = await services.diff(row.name, cp.id);
      if (deps.getState().diff?.session === row.name) dispatch({ type: 'diff', session: row.name, result });
    },

    unfreeze: async () => {
      if (refuseWhileBusy()) return;
      const row = selectedRow();
      if (!row) return status('no session selected');
      if (row.verdict.health !== 'frozen') return status(`${row.name} is not frozen (${row.badge}); nothing to unfreeze`);
      const plan = services.planUnfreeze(row.verdict);
      dispatch({ type: 'repair-start', session: row.name, plan });
      dispatch({ type: 'busy', what: 'unfreezing' });
      // The repair probes on its own; the refresh loop waits so the two do not interleave.
      deps.pauseRefresh(true);
      try {
        const confirm = async (step: RepairStep) =>
          (await deps.ask({ title: step.title, lines: [`Why: ${step.why}.`, 'This can lose work in that pane or server.'], answers: { yes: 'do it', no: 'stop here' }, tone: 'danger' })) === 'yes';
        const outcome = await services.unfreeze(plan, confirm, (event) => dispatch({ type: 'repair-event', event }));
        dispatch({ type: 'repair-end', healed: outcome.healed, summary: outcome.summary });
      } catch (e) {
        dispatch({ type: 'repair-end', healed: false, summary: `unfreeze failed: ${errorMessage(e)}` });
      } finally {
        deps.pauseRefresh(false);
        dispatch({ type: 'busy', what: null });
        deps.refreshNow();
      }
    },

    'delete-checkpoint': async () => {
      if (refuseWhileBusy()) return;
      const s = deps.getState();
      const row = selectedRow();
      if (!row) return status('no session selected');
      if (s.panel !== 'timeline') {
        dispatch({ type: 'panel', panel: 'timeline' });
        return status('choose the checkpoint to delete, then x');
      }
      const cp = s.snapshot ? checkpointsOf(s.snapshot, row.name)[s.timelineIndex] : undefined;
      if (!cp) return status('no checkpoint chosen');
      const a = await deps.ask({
        title: `Delete checkpoint ${cp.id}?`,
        lines: [`Saved ${age(deps.now() - Date.parse(cp.createdAt))} ago; holds ${cp.sessions.join(', ') || 'no sessions'}; ${plural(cp.panes, 'pane')}.`, 'It cannot be restored from afterwards.'],
        answers: { yes: 'delete it', no: 'keep it' },
        tone: 'danger',
      });
      if (a !== 'yes') return status('kept the checkpoint');
      const r = await services.removeCheckpoint(cp.id);
      status(r.message, r.ok ? 'ok' : 'error');
      deps.refreshNow();
    },

    forget: async () => {
      if (refuseWhileBusy()) return;
      const row = selectedRow();
      if (!row) return status('no session selected');
      if (row.verdict.live) return status(`${row.name} is running: only a session that is not running can be forgotten`, 'error');
      const a = await deps.ask({
        title: `Forget ${row.name}?`,
        lines: [
          `It leaves this list (${row.badge}); checkpoints holding only ${row.name} are deleted, those other sessions need are kept.`,
          'It cannot be restored from the deleted checkpoints afterwards.',
        ],
        answers: { yes: 'forget it', no: 'keep it' },
        tone: 'danger',
      });
      if (a !== 'yes') return status(`kept ${row.name}`);
      const r = await services.forgetSession(row.name);
      status(r.message, r.ok ? 'ok' : 'error');
      deps.refreshNow();
    },
  };
  return actions;
}

/** The restore question: what comes back, and which saved commands need approval. */
export function restoreQuestion(p: RestorePreview, now: number): Omit<Dialog, 'id'> {
  const lines = [`From checkpoint ${p.checkpointId} (${age(now - Date.parse(p.createdAt))} ago):`];
  for (const s of p.sessions) lines.push(`  ${s.name}: ${plural(s.windows.length, 'window')}, ${plural(s.panes, 'pane')}`);
  if (p.unlisted.length === 0) return { title: `Restore ${p.sessions.map((s) => s.name).join(', ')}?`, lines, answers: { yes: 'restore', no: 'cancel' }, tone: 'warning' };
  lines.push('These saved commands are not on the allowlist. Approve to re-run them, or skip to only type them:');
  for (const u of p.unlisted) lines.push(`  ${u.where}  ${u.command}`);
  return {
    title: `Restore ${p.sessions.map((s) => s.name).join(', ')}? ${plural(p.unlisted.length, 'command')} need approval`,
    lines,
    answers: { yes: 'restore and run them', skip: 'restore, only type them', no: 'cancel' },
    tone: 'warning',
  };
}
