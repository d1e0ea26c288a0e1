/**
 * Pane tracker: folds one pane's marker events and its /proc and tmux facts
 * into what tsession knows about that pane, each fact with its provenance. It parses nothing itself and does no I/O.
 */
import type { Provenance } from '../../checkpoints/schema.js';
import type { CwdSource, MarkerDialect, MarkerEvent } from '../../parsers/events.js';

export type { Provenance };

/** Tunables of the tracker, in one place. */
export const TRACKER_LIMITS = {
  /** Finished commands kept in the ring of recent commands. */
  recentCommands: 32,
  /** Output bytes without one valid marker after which a pane is reported as passthrough. */
  passthroughAfterBytes: 256 * 1024,
  /**
   * How long markers must have been silent before /proc or tmux, seeing the
   * shell idle at its prompt in another directory, overrule a marker cwd
   * (integration lost: `exec bash --norc`, a replaced PROMPT_COMMAND, …).
   */
  markerSilenceMs: 2_000,
} as const;

/** TRACKER_LIMITS with room for other values (tests, configuration). */
export type TrackerLimits = { readonly [K in keyof typeof TRACKER_LIMITS]: number };

/**
 * The fact ladder (DESIGN.md), best first: a higher rank is never overwritten
 * by a lower one while it is current. Equal ranks replace each other (newer wins).
 */
export const PROVENANCE_RANK = {
  'osc633-trusted': 6,
  osc633: 5,
  osc133: 4,
  osc7: 3,
  osc1337: 3,
  osc9: 3,
  proc: 2,
  tmux: 2,
  heuristic: 1,
} as const satisfies Record<Provenance, number>;

const CWD_PROVENANCE = { '633': 'osc633', '7': 'osc7', '1337': 'osc1337', '9': 'osc9' } as const satisfies Record<
  CwdSource,
  Provenance
>;

/** How the pane's stream is being understood. */
export type PaneMode =
  /** No marker yet, and fewer than TRACKER_LIMITS.passthroughAfterBytes of output. */
  | 'detecting'
  /** At least one valid marker seen. */
  | 'integrated'
  /** Enough output without any marker: only /proc and tmux facts apply. */
  | 'passthrough';

/** Where the shell is in its prompt/command cycle, as the markers tell it. */
export type PanePhase = 'unknown' | 'prompt' | 'input' | 'executing' | 'finished';

/** A fact with where it came from and when (tracker clock, ms). */
export interface Fact<T> {
  readonly value: T;
  readonly source: Provenance;
  readonly at: number;
}

/** The shape checkpoints store (checkpoints/schema.ts lastCommandSchema). */
export interface LastCommand {
  readonly commandLine: string;
  /** True only for a command line that carried this pane's nonce. */
  readonly trusted: boolean;
  readonly exitCode: number | null;
  readonly durationMs: number | null;
  readonly source: Provenance;
}

/** One finished command in the recent ring; `commandLine` is null when the shell did not say it. */
export interface RecentCommand {
  readonly commandLine: string | null;
  readonly trusted: boolean;
  readonly exitCode: number | null;
  readonly startedAt: number;
  readonly durationMs: number | null;
  readonly source: Provenance;
}

/** What /proc or tmux says about the pane, fed by the caller (sessions/proc.ts, tmux formats). */
export interface ProcFacts {
  readonly source: 'proc' | 'tmux';
  /** The shell's cwd (/proc/<pane_pid>/cwd or pane_current_path); null when refused. */
  readonly cwd?: string | null;
  /**
   * The foreground job's argv; null when the shell itself is in the foreground
   * (idle at its prompt); undefined when unknown.
   */
  readonly argv?: readonly string[] | null;
  /** The foreground job's cwd, when known. */
  readonly jobCwd?: string | null;
}

/** Plain, JSON-serialisable view of a pane's state. */
export interface PaneSnapshot {
  readonly mode: PaneMode;
  /** Best lifecycle dialect seen ('633' over '133'), null before any. */
  readonly dialect: MarkerDialect | null;
  readonly phase: PanePhase;
  /** The shell's cwd from the best current rung; null when nothing is known. */
  readonly cwd: { readonly path: string; readonly source: Provenance; readonly host?: string } | null;
  /** The foreground job as /proc or tmux last saw it; null when the shell is in the foreground or unknown. */
  readonly foreground: {
    readonly argv: readonly string[];
    readonly cwd: string | null;
    readonly source: 'proc' | 'tmux';
  } | null;
  /** The command running now, per the markers. */
  readonly currentCommand: {
    readonly commandLine: string | null;
    readonly trusted: boolean;
    readonly startedAt: number;
    readonly source: Provenance;
  } | null;
  readonly lastCommand?: LastCommand;
  /** Finished commands, oldest first, at most TRACKER_LIMITS.recentCommands. */
  readonly recentCommands: readonly RecentCommand[];
  readonly counters: {
    readonly outputBytes: number;
    readonly markers: number;
    /** Command lines ignored because a better one was current (forged or nested). */
    readonly ignoredCommandLines: number;
  };
}

/** Options of one pane's tracker. */
export interface PaneTrackerOptions {
  /** Clock in ms; injectable for tests. */
  readonly now?: () => number;
  readonly limits?: Partial<TrackerLimits>;
}

/** Anything that turns a pane's bytes into marker events (parsers/marker-parser.ts). */
export interface MarkerSource {
  push(chunk: Uint8Array): readonly MarkerEvent[];
}

interface CommandLineFact {
  readonly commandLine: string;
  readonly source: Provenance;
}

interface Running {
  readonly commandLine: string | null;
  readonly source: Provenance;
  readonly dialect: MarkerDialect;
  readonly startedAt: number;
  /** A nested shell's command (ssh, a sub-shell) is open inside this trusted one. */
  nestedOpen: boolean;
}

interface CwdFact extends Fact<string> {
  readonly host?: string;
}

const trustedSource = (source: Provenance): boolean => source === 'osc633-trusted';
const rank = (source: Provenance): number => PROVENANCE_RANK[source];

/**
 * One pane's state, VS Code's shape: one method per marker. The daemon feeds
 * each `%output` chunk through the pane's parser and hands the events here
 * (see feedPane); /proc and tmux facts and screen text arrive on their own.
 */
export class PaneTracker {
  private readonly now: () => number;
  private readonly limits: TrackerLimits;

  private mode: PaneMode = 'detecting';
  private dialect: MarkerDialect | null = null;
  private phase: PanePhase = 'unknown';
  private outputBytes = 0;
  private markers = 0;
  private ignoredCommandLines = 0;
  private lastMarkerAt = -Infinity;

  private cwd: CwdFact | null = null;
  private procCwd: Fact<string> | null = null;
  private foreground: PaneSnapshot['foreground'] = null;
  private pending: CommandLineFact | null = null;
  private running: Running | null = null;
  private last: LastCommand | null = null;
  private recent: RecentCommand[] = [];

  constructor(options: PaneTrackerOptions = {}) {
    this.now = options.now ?? Date.now;
    this.limits = { ...TRACKER_LIMITS, ...options.limits };
  }

  /** Dispatch one parser event to its handler. */
  handleEvent(event: MarkerEvent): void {
    switch (event.type) {
      case 'prompt-start':
        return this.handlePromptStart(event.dialect);
      case 'command-start':
        return this.handleCommandStart(event.dialect);
      case 'command-executed':
        return this.handleCommandExecuted(event.dialect, event.options);
      case 'command-finished':
        return this.handleCommandFinished(event.exitCode, event.dialect);
      case 'command-line':
        return this.handleCommandLine(event.commandLine, event.trusted);
      case 'cwd':
        return this.handleCwd(event.cwd, event.source, event.host);
      case 'property':
        // Other 633 P properties carry nothing the pane state keeps.
        return this.noteMarker(null);
    }
  }

  /** Count output bytes (before parsing); decides detecting → passthrough. */
  noteOutput(byteCount: number): void {
    this.outputBytes += byteCount;
    if (this.mode === 'detecting' && this.outputBytes >= this.limits.passthroughAfterBytes) this.mode = 'passthrough';
  }

  /** A (prompt start): the shell is drawing its prompt. */
  handlePromptStart(dialect: MarkerDialect): void {
    this.noteMarker(dialect);
    if (this.running) {
      // Inside a trusted command, a prompt belongs to a nested shell (ssh, a
      // sub-shell). Otherwise the command ended without a D.
      if (trustedSource(this.running.source)) return;
      this.finish(null);
    }
    this.pending = null;
    this.phase = 'prompt';
  }

  /** B (prompt end): the user is typing. */
  handleCommandStart(dialect: MarkerDialect): void {
    this.noteMarker(dialect);
    if (this.running) return;
    this.phase = 'input';
  }

  /**
   * E: the command line about to run. Only the shell itself can produce a
   * trusted one, so a trusted E also closes a command whose D never came; an
   * untrusted E while a command runs is that program's output, ignored.
   */
  handleCommandLine(commandLine: string, trusted: boolean): void {
    this.noteMarker('633');
    const candidate: CommandLineFact = { commandLine, source: trusted ? 'osc633-trusted' : 'osc633' };
    if (this.running) {
      if (!trusted) {
        this.ignoredCommandLines++;
        return;
      }
      this.finish(null);
    }
    if (commandLine === '') return;
    if (this.pending && rank(this.pending.source) > rank(candidate.source)) {
      this.ignoredCommandLines++;
      return;
    }
    this.pending = candidate;
  }

  /** C (pre-execution): the command starts; OSC 133 may carry `cmdline`/`cmdline_url`. */
  handleCommandExecuted(dialect: MarkerDialect, options?: Readonly<Record<string, string>>): void {
    this.noteMarker(dialect);
    const line = this.pending ?? commandLineOption(options);
    const source: Provenance = line?.source ?? (dialect === '633' ? 'osc633' : 'osc133');
    if (this.running) {
      if (trustedSource(this.running.source) && !trustedSource(source)) {
        // A nested shell started a command inside ours.
        this.running.nestedOpen = true;
        return;
      }
      this.finish(null);
    }
    this.pending = null;
    this.running = { commandLine: line?.commandLine ?? null, source, dialect, startedAt: this.now(), nestedOpen: false };
    this.phase = 'executing';
  }

  /**
   * D: the command finished. D carries no nonce, so inside a trusted command a
   * D closes a nested command first, and a D without exit code (a nested
   * shell's empty Enter) never closes ours.
   */
  handleCommandFinished(exitCode: number | null, dialect: MarkerDialect = '633'): void {
    this.noteMarker(dialect);
    const running = this.running;
    if (running && trustedSource(running.source)) {
      if (running.nestedOpen) {
        running.nestedOpen = false;
        return;
      }
      if (exitCode === null) return;
    }
    if (running && running.dialect !== dialect) return;
    if (running) this.finish(exitCode);
    this.pending = null;
    this.phase = 'finished';
  }

  /**
   * A cwd report. While a command runs, a report is that program's (a remote
   * or nested shell), not this shell's: shells report their cwd at the prompt.
   */
  handleCwd(cwd: string, source: CwdSource, host?: string): void {
    this.noteMarker(null);
    if (this.running || cwd === '') return;
    this.offerCwd({ value: cwd, source: CWD_PROVENANCE[source], at: this.now(), ...(host ? { host } : {}) });
  }

  /**
   * Facts from /proc or tmux: the floor of the ladder, always kept. They
   * overrule a marker cwd only when that cwd is no longer current: the shell
   * sits idle at its prompt elsewhere and markers have been silent.
   */
  applyProcFacts(facts: ProcFacts): void {
    const at = this.now();
    if (facts.cwd) {
      this.procCwd = { value: facts.cwd, source: facts.source, at };
      const shellIdle = facts.argv === null;
      const current = this.cwd;
      const stale =
        current !== null &&
        rank(current.source) > rank(facts.source) &&
        shellIdle &&
        current.value !== facts.cwd &&
        at - this.lastMarkerAt >= this.limits.markerSilenceMs;
      if (stale) this.cwd = this.procCwd;
      else this.offerCwd(this.procCwd);
    }
    if (facts.argv !== undefined) {
      this.foreground =
        facts.argv === null || facts.argv.length === 0
          ? null
          : { argv: [...facts.argv], cwd: facts.jobCwd ?? null, source: facts.source };
    }
  }

  /** Forget everything markers said (the pane was respawned or its shell replaced). */
  reset(): void {
    this.mode = 'detecting';
    this.dialect = null;
    this.phase = 'unknown';
    this.outputBytes = 0;
    this.lastMarkerAt = -Infinity;
    this.cwd = this.procCwd;
    this.pending = null;
    this.running = null;
    this.last = null;
    this.recent = [];
  }

  /** A plain, serialisable copy of the pane's state. */
  snapshot(): PaneSnapshot {
    const cwd: CwdFact | null = this.cwd ?? this.procCwd;
    const running = this.running;
    return {
      mode: this.mode,
      dialect: this.dialect,
      phase: this.phase,
      cwd: cwd ? { path: cwd.value, source: cwd.source, ...(cwd.host ? { host: cwd.host } : {}) } : null,
      foreground: this.foreground ? { ...this.foreground, argv: [...this.foreground.argv] } : null,
      currentCommand: running
        ? {
            commandLine: running.commandLine,
            trusted: trustedSource(running.source),
            startedAt: running.startedAt,
            source: running.source,
          }
        : null,
      ...(this.last ? { lastCommand: { ...this.last } } : {}),
      recentCommands: this.recent.map((c) => ({ ...c })),
      counters: { outputBytes: this.outputBytes, markers: this.markers, ignoredCommandLines: this.ignoredCommandLines },
    };
  }

  private noteMarker(dialect: MarkerDialect | null): void {
    this.markers++;
    this.mode = 'integrated';
    this.lastMarkerAt = this.now();
    if (dialect === '633' || (dialect === '133' && this.dialect === null)) this.dialect = dialect;
  }

  private finish(exitCode: number | null): void {
    const running = this.running;
    if (!running) return;
    this.running = null;
    const durationMs = Math.max(0, this.now() - running.startedAt);
    const trusted = trustedSource(running.source);
    this.recent.push({
      commandLine: running.commandLine,
      trusted,
      exitCode,
      startedAt: running.startedAt,
      durationMs,
      source: running.source,
    });
    if (this.recent.length > this.limits.recentCommands) this.recent.splice(0, this.recent.length - this.limits.recentCommands);
    if (running.commandLine !== null) {
      this.offerLast({ commandLine: running.commandLine, trusted, exitCode, durationMs, source: running.source });
    }
  }

  // The last command is replaced only from the same rung or better: a forged
  // or nested command line never displaces one that carried the nonce.
  private offerLast(candidate: LastCommand): void {
    if (this.last && rank(this.last.source) > rank(candidate.source)) return;
    this.last = candidate;
  }

  private offerCwd(candidate: CwdFact): void {
    if (this.cwd && rank(this.cwd.source) > rank(candidate.source)) return;
    this.cwd = candidate;
  }
}

/** Feed one chunk of a pane's output through its parser into its tracker. */
export function feedPane(tracker: PaneTracker, parser: MarkerSource, chunk: Uint8Array): void {
  tracker.noteOutput(chunk.length);
  for (const event of parser.push(chunk)) tracker.handleEvent(event);
}

// kitty sends `cmdline_url=<percent-encoded>`, others `cmdline=<text>`, in 133 C.
function commandLineOption(options: Readonly<Record<string, string>> | undefined): CommandLineFact | null {
  if (!options) return null;
  const url = options.cmdline_url;
  if (url !== undefined) {
    try {
      return { commandLine: decodeURIComponent(url), source: 'osc133' };
    } catch {
      return null;
    }
  }
  return options.cmdline !== undefined ? { commandLine: options.cmdline, source: 'osc133' } : null;
}
