/**
 * The daemon's save, as the save scheduler runs it: one checkpoint through
 * the save use case, nothing written when the sessions are what the last
 * save recorded, shell-integration facts (last command, cwd with its
 * provenance) merged in when panes are followed, and each outcome journaled
 * (a skip once per reason).
 */
import { count } from '../../checkpoints/words.js';
import { processStartedAtMs, type PaneProcFacts } from '../../sessions/proc/facts.js';
import type { PaneRegistry } from '../../sessions/shell-integration/pane-registry.js';
import type { ProcFacts } from '../../sessions/shell-integration/pane-tracker.js';
import type { Context } from '../context.js';
import { errorLine, type Report } from './report.js';
import type { SaveRunner } from './save-scheduler.js';
import type { DaemonUseCases } from './use-cases.js';
import { carriedFrom, NOTHING_CARRIED, type CarriedCommands } from './carried-commands.js';

/** The last commands of the newest good checkpoint, to carry into the same panes (nothing when it cannot be read). */
async function loadCarried(ctx: Context): Promise<CarriedCommands> {
  try {
    const newest = await (await ctx.store()).newestGood();
    const body = newest.ok ? newest.value.checkpoint?.body : undefined;
    return body ? carriedFrom(body, (pid) => processStartedAtMs(pid)) : NOTHING_CARRIED;
  } catch {
    return NOTHING_CARRIED;
  }
}

/**
 * What /proc (or, without it, tmux) says about a pane, as the tracker's
 * floor: the shell's cwd, and whether the shell itself is in the foreground.
 */
export function procFloor(pane: { readonly currentPath: string }, proc: PaneProcFacts | undefined): ProcFacts {
  if (!proc?.shellCwd) return { source: 'tmux', cwd: pane.currentPath || null };
  if (!proc.job) return { source: 'proc', cwd: proc.shellCwd, argv: null };
  // A job whose argv /proc refused is still a job: the shell is not idle, its argv unknown.
  return proc.job.argv ? { source: 'proc', cwd: proc.shellCwd, argv: proc.job.argv } : { source: 'proc', cwd: proc.shellCwd };
}

/**
 * A save runner for the scheduler. `shells` gives the followed panes, if
 * any, at the time of each save (they change as the daemon re-attaches).
 */
export function createSaveCallback(
  ctx: Context,
  report: Report,
  shells: () => PaneRegistry | null,
  save: DaemonUseCases['save'],
): SaveRunner {
  /** Fingerprint of what the last written checkpoint recorded. */
  let fingerprint: string | undefined;
  /** The reason of the last skipped save, said once until a save is written. */
  let lastSkip: string | null = null;
  /** Read once, at the first save that follows panes: what this daemon's trackers cannot know yet. */
  let carried: Promise<CarriedCommands> | undefined;
  /** The last save failed: the next outcome is journaled whatever it is, so the journal's newest save says the saves work again. */
  let failing = false;
  return async (causes) => {
    const cause = causes.join(', ');
    const t0 = performance.now();
    let seen: string | undefined;
    try {
      const panes = shells();
      const carry = panes ? await (carried ??= loadCarried(ctx)) : NOTHING_CARRIED;
      const panesSeen = new Set<string>();
      const r = await save(ctx, {
        ...(fingerprint !== undefined ? { unlessFingerprint: fingerprint } : {}),
        onFingerprint: (f) => (seen = f),
        ...(panes
          ? {
              lastCommandOf: (pane) => {
                panesSeen.add(pane.id);
                // The markers' own word wins; until they speak, what the checkpoint before knew.
                return panes.lastCommand(pane) ?? carry(pane);
              },
              cwdOf: (pane, proc) => panes.cwd(pane, procFloor(pane, proc)),
            }
          : {}),
      });
      // The save saw every pane there is: trackers of the others can go.
      if (panes && panesSeen.size) panes.keepOnly(panesSeen);
      const durationMs = performance.now() - t0;
      const recovered = failing;
      failing = false;
      if (r.kind === 'unchanged') {
        if (recovered) report({ kind: 'action', what: 'save', cause, result: 'skipped', detail: 'nothing changed since the last checkpoint', durationMs });
        return;
      }
      if (r.kind === 'skipped') {
        // Said once per reason: an idle server with only a start-up shell would say it every interval.
        if (r.reason !== lastSkip || recovered) report({ kind: 'action', what: 'save', cause, result: 'skipped', detail: r.reason, durationMs });
        lastSkip = r.reason;
        return;
      }
      fingerprint = seen;
      lastSkip = null;
      report({ kind: 'action', what: 'save', cause, result: 'ok', detail: `${r.id} (${count(r.sessions, 'session')}, ${count(r.panes, 'pane')})`, durationMs });
    } catch (e) {
      failing = true;
      report({ kind: 'action', what: 'save', cause, result: 'failed', detail: errorLine(e), durationMs: performance.now() - t0 });
    }
  };
}
