/**
 * The daemon's health lines: which sessions (and the server) became frozen
 * or recovered since the last probe round. Journaled on change only, so a
 * session frozen for an hour is one line, not one per round.
 */
import type { HealthReport } from '../../sessions/health/classify.js';
import type { JournalEntry } from '../ops/journal.js';

/** Key of the server itself among the frozen set: a NUL, which no tmux session name holds. */
const SERVER = '\0server';

export interface HealthChanges {
  /** What is frozen now: session names, and SERVER for the server. */
  readonly frozen: ReadonlySet<string>;
  readonly entries: readonly Omit<JournalEntry, 'at'>[];
}

/**
 * Compare a report with what was frozen before. `sessionsSeen` false (the
 * round saw no fresh layout): sessions keep what they were, so one slow
 * round never reads as "recovered" and then "frozen" again.
 */
export function healthChanges(before: ReadonlySet<string>, report: HealthReport, sessionsSeen = true, unfreezeCommand = 'tsession unfreeze'): HealthChanges {
  const frozen = new Set<string>(sessionsSeen ? [] : [...before].filter((k) => k !== SERVER));
  const entries: Omit<JournalEntry, 'at'>[] = [];
  const saw = (evidence: readonly { probe: string; saw: string }[]) => evidence.map((e) => `${e.probe}: ${e.saw}`);
  if (report.server.state === 'frozen') {
    frozen.add(SERVER);
    if (!before.has(SERVER)) entries.push({ kind: 'detected', what: 'server-frozen', evidence: saw(report.server.evidence), detail: `see ${unfreezeCommand}` });
  }
  for (const v of sessionsSeen ? report.sessions : []) {
    if (v.health !== 'frozen') continue;
    frozen.add(v.session);
    if (!before.has(v.session)) {
      entries.push({ kind: 'detected', what: 'session-frozen', detail: v.session, evidence: saw(v.evidence) });
    }
  }
  for (const key of before) {
    if (frozen.has(key)) continue;
    // Gone from the report (closed) counts as no longer frozen too.
    entries.push(key === SERVER ? { kind: 'detected', what: 'server-recovered' } : { kind: 'detected', what: 'session-recovered', detail: key });
  }
  return { frozen, entries };
}
