/**
 * The watch daemon's record of why sessions left. tmux tells a control
 * client that the sessions changed (`%sessions-changed`, `%session-renamed`)
 * but not which one went, so the daemon keeps a roster (session id → name)
 * and compares: an id that is gone while the server lives was closed on
 * purpose; an id under a new name was renamed; the feed's end says whether
 * the server ended normally or crashed. Each finding goes to the departures
 * record (checkpoints/departures.ts). `rosterChanges` is pure.
 */
import { recordDepartures, type Departure } from '../../checkpoints/departures.js';
import { readSessionNames } from '../../sessions/tmux/queries.js';
import { RESTORE_TMP_PREFIX as TEMP_NAME_PREFIX } from '../../sessions/live/pending.js';
import type { Context } from '../context.js';
import type { Report } from './report.js';

/** Session id → name. */
export type Roster = ReadonlyMap<string, string>;

/**
 * What changed between two rosters of a server that stayed up: names that
 * left (closed, or renamed away) and names that run now (null: any earlier
 * departure of theirs no longer stands). A restore's temporary names are
 * never recorded. Pure.
 */
export function rosterChanges(before: Roster, now: Roster, at: string): Map<string, Departure | null> {
  const out = new Map<string, Departure | null>();
  const running = new Set(now.values());
  for (const [id, name] of before) {
    if (running.has(name) || name.startsWith(TEMP_NAME_PREFIX)) continue;
    const renamedTo = now.get(id);
    out.set(name, renamedTo === undefined ? { why: 'closed', at } : { why: 'renamed', at, to: renamedTo });
  }
  for (const name of running) if (!name.startsWith(TEMP_NAME_PREFIX)) out.set(name, null);
  return out;
}

/** Follows the server's sessions and records each departure. */
export class DepartureRecorder {
  private roster: Map<string, string> = new Map();
  /** One refresh at a time, in order: a later roster never lands before an earlier one. */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: Context,
    private readonly report: Report,
  ) {}

  /** Run `step` after the ones before it; a step that fails never stops the ones after it. */
  private enqueue(step: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(step).catch(() => {}); // each step reports its own failures
    return this.chain;
  }

  /** A read queued behind the one running, not started yet: later notifications join it. */
  private pending: Promise<void> | null = null;

  /**
   * Read the sessions now (on attach, on `%sessions-changed` or
   * `%session-renamed`) and record who left. Notifications come in bursts —
   * a restore makes and renames many sessions — and each read is a tmux
   * call on a server that may be busy: one queued read stands for all.
   */
  refresh(): Promise<void> {
    if (this.pending) return this.pending;
    const queued = this.enqueue(async () => {
      this.pending = null; // from here on, a notification needs a read of its own
      let now: Map<string, string>;
      try {
        now = await readSessionNames(this.ctx.server, { env: this.ctx.env });
      } catch {
        return; // the server went away: its feed's end says how
      }
      const changes = rosterChanges(this.roster, now, new Date().toISOString());
      this.roster = now;
      await this.record(changes);
    });
    this.pending = queued;
    return queued;
  }

  /** The server is gone: every session it held left with it, normally or in a crash. */
  serverGone(how: 'server-ended' | 'crashed'): Promise<void> {
    return this.enqueue(async () => {
      const at = new Date().toISOString();
      const changes = new Map<string, Departure | null>();
      for (const name of this.roster.values()) if (!name.startsWith(TEMP_NAME_PREFIX)) changes.set(name, { why: how, at });
      this.roster = new Map();
      await this.record(changes);
    });
  }

  /**
   * Write the changes. Only a failure is journaled: the record itself is the
   * trail (a line per closed session would crowd the journal, whose lines
   * are what tsession did).
   */
  private async record(changes: ReadonlyMap<string, Departure | null>): Promise<void> {
    const r = await recordDepartures(this.ctx.storeDir, changes, this.ctx.paths.stateDir);
    if (r.ok) return;
    const left = [...changes].flatMap(([name, d]) => (d ? [`${name}: ${d.why === 'renamed' ? `renamed to ${JSON.stringify(d.to)}` : d.why}`] : []));
    if (left.length) this.report({ kind: 'detected', what: 'session-left', detail: left.join('; '), evidence: [`not recorded (these show as crashed): ${r.error.message}`] });
  }
}
