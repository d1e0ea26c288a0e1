/**
 * The health model: a pure classifier from what the probes saw (and what the
 * checkpoints remember) to one verdict per session — healthy, crashed,
 * frozen or changed — each with the evidence behind it, worded for a person
 * (and closed, for a session that left on purpose). Whether a person is
 * attached is not health: it is the verdict's own field (attachedClients). Non-goals: probing (probes.ts) and repairing (repair/plan.ts).
 *
 * A slow reply alone is never a freeze (TMUX-FACTS.md, "Under load"): the
 * server is frozen only when /proc shows it stopped, or it missed the
 * timeout in several probes in a row.
 */
import { age, count } from '../../checkpoints/words.js';
import { departureWords, leftOnPurpose, type Departure } from '../../checkpoints/departures.js';
import type { SessionRecord } from '../../checkpoints/schema.js';
import { compareSessions } from '../live/compare.js';
import type { LiveServer, LiveSession } from '../live/types.js';
import { sessionToRecord } from '../live/record.js';

/**
 * The verdicts, in the order a person should look at them. `closed`: not
 * running because it left on purpose (closed, renamed, server ended) —
 * remembered by a checkpoint, but neither a crash nor anything to fix.
 */
export const HEALTH_STATES = ['frozen', 'crashed', 'changed', 'healthy', 'closed'] as const;
/** One session's health. */
export type Health = (typeof HEALTH_STATES)[number];

/** Named thresholds of the classifier. */
export const HEALTH_RULES = {
  /** Consecutive timeouts (without /proc proof) before a server counts as hung. */
  hungAfterTimeouts: 2,
  /** Consecutive probes a writer must stay blocked, using no CPU, to count as held. */
  blockedWriterRounds: 2,
  /** Consecutive probes a pane must ignore queued input to count as not reading. */
  notReadingRounds: 2,
} as const;

/** What one process looked like in /proc. */
export interface ProcFacts {
  readonly pid: number;
  readonly comm: string;
  /** R, S, D, T, t, Z, … */
  readonly state: string;
  /** Kernel function it sleeps in, or null (running, or unreadable). */
  readonly wchan: string | null;
  /** Syscall number it is blocked in (first field of /proc/<pid>/syscall), or null. */
  readonly syscall: number | null;
  /** utime + stime in clock ticks. */
  readonly cpuTicks: number;
}

/** What the server round trip and /proc said about the tmux server. */
export interface ServerFacts {
  readonly socketPath: string;
  readonly label: string;
  readonly answer: 'answered' | 'no-server' | 'timeout' | 'refused' | 'error';
  /** Round-trip time (or time until the timeout fired). */
  readonly ms: number;
  readonly timeoutMs: number;
  /** tmux's own words for a failure. */
  readonly message: string | null;
  /** Unanswered probes (timeouts or refusals) in a row, this one included. */
  readonly timeoutsInARow: number;
  /** The server process, when found. */
  readonly process: ProcFacts | null;
}

/** What the probes saw in one pane. */
export interface PaneFacts {
  readonly paneId: string;
  readonly session: string;
  readonly windowIndex: number;
  readonly paneIndex: number;
  readonly tty: string;
  readonly panePid: number;
  /** The shell's cwd (where a respawn starts), or null when /proc refused. */
  readonly shellCwd: string | null;
  /** Foreground process group of the pane tty when it is not the shell's. */
  readonly fgPgid: number | null;
  /** Foreground command line (argv joined), when readable. */
  readonly fgCommand: string | null;
  /** Members of the foreground group in state T. */
  readonly stopped: readonly ProcFacts[];
  /** A process blocked writing to the tty, with how long it has stayed so. */
  readonly blockedWriter: {
    readonly proc: ProcFacts;
    /** Consecutive probes it was blocked in write with no CPU used between them. */
    readonly rounds: number;
    /** Whether the tty has `ixon` (flow control on); null: unknown. */
    readonly ixon: boolean | null;
  } | null;
  /** The pane ignores queued input: no reader, no output for idleMs. */
  readonly notReading: {
    readonly idleMs: number;
    readonly queuedBytes: number;
    readonly rounds: number;
    readonly states: string;
  } | null;
}

/** One probe round, as health input. */
export interface Observation {
  /** Unix ms of the round. */
  readonly at: number;
  readonly server: ServerFacts;
  /** The layout from this round, or the last one known when the server did not answer. */
  readonly live: LiveServer | null;
  /** Whether `live` is from this round. */
  readonly liveIsFresh: boolean;
  /** People's clients per session name (control-mode clients excluded), when known. */
  readonly clients: ReadonlyMap<string, number> | null;
  readonly panes: readonly PaneFacts[];
}

/** The newest checkpoint that remembers a session. */
export interface SavedSession {
  readonly checkpointId: string;
  readonly createdAt: string;
  /** Its record, once the checkpoint was read (needed to tell "changed"). */
  readonly record: SessionRecord | null;
  /** Why it left, when that was recorded after this checkpoint (checkpoints/departures.ts). */
  readonly departed?: Departure;
}

/** A fact behind a verdict: which probe, and what it saw. */
export interface Evidence {
  readonly probe: 'server' | 'proc' | 'job' | 'tty' | 'input' | 'layout' | 'clients' | 'checkpoint' | 'departure';
  readonly saw: string;
}

/** Why a session is frozen, precise enough for the repair planner. */
export type FrozenCause =
  | { readonly kind: 'server-stopped'; readonly pid: number }
  | { readonly kind: 'server-hung'; readonly pid: number | null }
  | { readonly kind: 'job-stopped'; readonly paneId: string; readonly pgid: number; readonly pids: readonly number[] }
  | {
      readonly kind: 'output-held';
      readonly paneId: string;
      readonly tty: string;
      readonly pid: number;
      readonly pgid: number | null;
      readonly ixon: boolean | null;
    }
  | { readonly kind: 'not-reading'; readonly paneId: string; readonly tty: string; readonly pgid: number | null };

/** The verdict for one session. */
export interface SessionVerdict {
  readonly session: string;
  readonly health: Health;
  /** Running on the server (as far as the newest answer tells). */
  readonly live: boolean;
  readonly evidence: readonly Evidence[];
  /** Non-empty exactly when frozen. */
  readonly causes: readonly FrozenCause[];
  /** The live session (this round or last known), when running. */
  readonly liveSession: LiveSession | null;
  /** People's clients attached (control-mode clients excluded), when running. */
  readonly attachedClients: number | null;
  readonly saved: SavedSession | null;
}

/** How the server itself is doing. */
export interface ServerVerdict {
  readonly state: 'answering' | 'slow' | 'frozen' | 'absent' | 'error';
  readonly evidence: readonly Evidence[];
  /** Set when frozen. */
  readonly cause: FrozenCause | null;
}

/** Everything the classifier concluded from one observation. */
export interface HealthReport {
  readonly at: number;
  readonly server: ServerVerdict;
  readonly sessions: readonly SessionVerdict[];
}

/** "state T (stopped), wchan do_signal_stop, syscall 7". */
const procState = (p: ProcFacts): string => {
  const parts = [`state ${p.state}${p.state === 'T' ? ' (stopped)' : ''}`];
  if (p.wchan) parts.push(`wchan ${p.wchan}`);
  if (p.syscall !== null) parts.push(`syscall ${p.syscall}`);
  return parts.join(', ');
};
const describeProc = (p: ProcFacts): string => `pid ${p.pid} (${p.comm}): ${procState(p)}`;

/** The server's verdict: frozen only with /proc proof or repeated timeouts. */
export function classifyServer(s: ServerFacts): ServerVerdict {
  const proc = s.process;
  const procEvidence: Evidence[] = proc ? [{ probe: 'proc', saw: `server ${describeProc(proc)}` }] : [];
  switch (s.answer) {
    case 'answered':
      return {
        state: 'answering',
        evidence: [{ probe: 'server', saw: `answered in ${Math.round(s.ms)} ms` }, ...procEvidence],
        cause: null,
      };
    case 'no-server':
      return { state: 'absent', evidence: [{ probe: 'server', saw: `no tmux server at ${s.socketPath}` }], cause: null };
    case 'timeout': {
      const missed: Evidence = {
        probe: 'server',
        saw: `no answer within ${s.timeoutMs} ms (${count(s.timeoutsInARow, 'probe')} in a row)`,
      };
      if (proc?.state === 'T') {
        return { state: 'frozen', evidence: [missed, ...procEvidence], cause: { kind: 'server-stopped', pid: proc.pid } };
      }
      if (s.timeoutsInARow >= HEALTH_RULES.hungAfterTimeouts) {
        const found: Evidence[] = proc ? procEvidence : [{ probe: 'proc', saw: 'server process not found in /proc' }];
        return { state: 'frozen', evidence: [missed, ...found], cause: { kind: 'server-hung', pid: proc?.pid ?? null } };
      }
      return {
        state: 'slow',
        evidence: [missed, ...procEvidence, { probe: 'server', saw: 'a single slow reply is not a freeze; probing again' }],
        cause: null,
      };
    }
    case 'refused':
      // The server lives but every command fails (TMUX-FACTS: the kill-server
      // hazard): as stuck as a hung one, and only ending it helps. A server
      // that is just exiting says the same for a moment, hence the repeat.
      if (proc && s.timeoutsInARow >= HEALTH_RULES.hungAfterTimeouts) {
        return {
          state: 'frozen',
          evidence: [{ probe: 'server', saw: `refuses commands: ${s.message ?? 'server exited unexpectedly'}` }, ...procEvidence],
          cause: { kind: 'server-hung', pid: proc.pid },
        };
      }
      return { state: 'error', evidence: [{ probe: 'server', saw: s.message ?? 'refuses commands' }], cause: null };
    case 'error':
      return { state: 'error', evidence: [{ probe: 'server', saw: s.message ?? 'tmux failed' }], cause: null };
  }
}

/** Causes (with evidence) that make one pane frozen. */
export function paneCauses(p: PaneFacts): { causes: FrozenCause[]; evidence: Evidence[] } {
  const causes: FrozenCause[] = [];
  const evidence: Evidence[] = [];
  const where = `pane ${p.paneId} (${p.session}:${p.windowIndex}.${p.paneIndex})`;
  if (p.stopped.length > 0 && p.fgPgid !== null) {
    causes.push({ kind: 'job-stopped', paneId: p.paneId, pgid: p.fgPgid, pids: p.stopped.map((s) => s.pid) });
    for (const s of p.stopped) {
      evidence.push({ probe: 'job', saw: `${where}: pid ${s.pid} (${s.comm}) of the foreground job (process group ${p.fgPgid}) is stopped: ${procState(s)}` });
    }
  }
  const w = p.blockedWriter;
  if (w && w.rounds >= HEALTH_RULES.blockedWriterRounds) {
    causes.push({ kind: 'output-held', paneId: p.paneId, tty: p.tty, pid: w.proc.pid, pgid: p.fgPgid, ixon: w.ixon });
    evidence.push({
      probe: 'tty',
      saw: `${where}: pid ${w.proc.pid} (${w.proc.comm}) blocked writing to ${p.tty} for ${w.rounds} probes using no CPU (${procState(w.proc)})`,
    });
    evidence.push({
      probe: 'tty',
      saw:
        w.ixon === true
          ? `${p.tty} has ixon: output is held by flow control (XOFF, Ctrl-S)`
          : w.ixon === false
            ? `${p.tty} has no ixon: not flow control, the terminal is not draining`
            : `could not read ${p.tty}'s settings (ixon unknown)`,
    });
  }
  const n = p.notReading;
  if (n && n.queuedBytes > 0 && n.rounds >= HEALTH_RULES.notReadingRounds) {
    causes.push({ kind: 'not-reading', paneId: p.paneId, tty: p.tty, pgid: p.fgPgid });
    evidence.push({
      probe: 'input',
      saw: `${where}: ${count(n.queuedBytes, 'byte')} of input waiting unread, no output for ${age(n.idleMs)}, not sleeping on a read (${n.states})`,
    });
  }
  return { causes, evidence };
}

/** Differences a person would not expect: windows or panes that vanished since the checkpoint. */
export function vanished(saved: SessionRecord, live: LiveSession): Evidence[] {
  const diffs = compareSessions(saved, sessionToRecord(live), {
    autoNames: false,
    cwds: false,
    commands: false,
    layouts: false,
    flags: false,
  });
  const out: Evidence[] = [];
  for (const d of diffs) {
    if (d.kind === 'window-missing') out.push({ probe: 'layout', saw: `window ${d.where} ("${d.saved}") vanished` });
    if (d.kind === 'pane-count' && Number(d.live) < Number(d.saved)) {
      out.push({ probe: 'layout', saw: `window ${d.where} had ${d.saved} panes, now ${d.live}` });
    }
  }
  return out;
}

const savedEvidence = (s: SavedSession, now: number): Evidence => ({
  probe: 'checkpoint',
  saw: `newest checkpoint ${s.checkpointId} (${age(now - Date.parse(s.createdAt))} ago)`,
});

/** Classify every session, live ones in server order, then those only checkpoints remember. */
export function classify(obs: Observation, saved: ReadonlyMap<string, SavedSession>): HealthReport {
  const server = classifyServer(obs.server);
  const sessions: SessionVerdict[] = [];
  const seen = new Set<string>();
  const liveSessions = server.state === 'absent' ? [] : (obs.live?.sessions ?? []);

  for (const live of liveSessions) {
    seen.add(live.name);
    const s = saved.get(live.name) ?? null;
    const clients = obs.clients?.get(live.name) ?? (obs.clients ? 0 : live.attached);
    const base = { session: live.name, live: true, liveSession: live, saved: s, attachedClients: clients };
    if (server.cause) {
      sessions.push({ ...base, health: 'frozen', evidence: server.evidence, causes: [server.cause] });
      continue;
    }
    // A slow server: judge from the last answer, and say so.
    const caveat: Evidence[] = server.state === 'slow' ? [...server.evidence] : [];
    const panes = obs.liveIsFresh ? obs.panes.filter((p) => p.session === live.name) : [];
    const causes: FrozenCause[] = [];
    const frozenEvidence: Evidence[] = [];
    for (const p of panes) {
      const c = paneCauses(p);
      causes.push(...c.causes);
      frozenEvidence.push(...c.evidence);
    }
    if (causes.length) {
      sessions.push({ ...base, health: 'frozen', evidence: [...frozenEvidence, ...caveat], causes });
      continue;
    }
    const gone = s?.record ? vanished(s.record, live) : [];
    if (gone.length) {
      sessions.push({ ...base, health: 'changed', evidence: [...gone, savedEvidence(s!, obs.at), ...caveat], causes: [] });
      continue;
    }
    const checked = panes.length
      ? `answers; ${count(panes.length, 'pane')} checked, none stopped or held`
      : 'answers; panes not checked yet';
    sessions.push({
      ...base,
      health: 'healthy',
      evidence: [
        { probe: 'server', saw: checked },
        { probe: 'clients', saw: clients === 0 ? 'no client attached' : `${count(clients, 'client')} attached` },
        ...caveat,
      ],
      causes: [],
    });
  }

  // When the server is frozen and no layout was ever read, the checkpoints
  // still say which sessions it holds.
  const savedFrozen = server.cause !== null && liveSessions.length === 0;
  for (const [name, s] of saved) {
    if (seen.has(name)) continue;
    seen.add(name);
    // Left on purpose: not a crash, and not on a frozen server either (nothing to plan for).
    if (leftOnPurpose(s.departed)) {
      const left: Evidence = { probe: 'departure', saw: `${departureWords(s.departed)} ${age(obs.at - Date.parse(s.departed.at))} ago` };
      sessions.push({ session: name, live: false, liveSession: null, attachedClients: null, saved: s, health: 'closed', evidence: [left, savedEvidence(s, obs.at)], causes: [] });
      continue;
    }
    if (savedFrozen) {
      sessions.push({ session: name, live: true, liveSession: null, attachedClients: null, saved: s, health: 'frozen', evidence: server.evidence, causes: [server.cause!] });
      continue;
    }
    const why: Evidence =
      server.state === 'absent'
        ? { probe: 'server', saw: `no tmux server at ${obs.server.socketPath}` }
        : server.state === 'error'
          ? { probe: 'server', saw: `not seen running: the tmux server could not be asked (${obs.server.message ?? 'tmux failed'})` }
          : { probe: 'server', saw: `not running on tmux server ${obs.server.label}` };
    sessions.push({ session: name, live: false, liveSession: null, attachedClients: null, saved: s, health: 'crashed', evidence: [why, savedEvidence(s, obs.at)], causes: [] });
  }
  return { at: obs.at, server, sessions };
}
