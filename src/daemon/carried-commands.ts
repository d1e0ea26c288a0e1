/**
 * The last commands a `--markers` daemon carries over from the checkpoint
 * before it: a restarted daemon's trackers know nothing yet, and a pane's
 * known last command must stay in the next checkpoints until the pane runs
 * a new one. Non-goal: carrying anything into a different pane.
 *
 * The same pane is the same pane id whose shell started before that
 * checkpoint was written: tmux never reuses a pane id while its server
 * lives, and a shell older than the checkpoint is the process the
 * checkpoint saw. A respawned pane (a new shell under the same id) or a
 * server started since (ids counted from %0 again) gets nothing.
 */
import type { CheckpointBody, LastCommandRecord } from '../../checkpoints/schema.js';
import type { PaneRef } from '../../sessions/shell-integration/pane-registry.js';

/** Clock slack when comparing a shell's start with a checkpoint's time: a shell this close to it is not carried into. */
export const CARRY_SLACK_MS = 1_000;

/** A pane's last command from the previous checkpoint, when the pane is still the one it saw. */
export type CarriedCommands = (pane: PaneRef) => LastCommandRecord | undefined;

/** Nothing to carry (no checkpoint, or it could not be read). */
export const NOTHING_CARRIED: CarriedCommands = () => undefined;

/**
 * The carrier for `body`'s panes; `startedAt` says when a pid started (ms
 * since the epoch; null: unknown, and nothing is carried into it).
 */
export function carriedFrom(body: CheckpointBody, startedAt: (pid: number) => number | null): CarriedCommands {
  const writtenAt = Date.parse(body.createdAt);
  const byPane = new Map<string, LastCommandRecord>();
  for (const s of body.sessions) {
    for (const w of s.windows) for (const p of w.panes) if (p.lastCommand) byPane.set(p.id, p.lastCommand);
  }
  if (!byPane.size || !Number.isFinite(writtenAt)) return NOTHING_CARRIED;
  return (pane) => {
    const last = byPane.get(pane.id);
    if (!last) return undefined;
    const started = startedAt(pane.pid);
    return started !== null && started + CARRY_SLACK_MS < writtenAt ? last : undefined;
  };
}
