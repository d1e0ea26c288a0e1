/**
 * How a PTY session whose process is gone comes back, decided from its
 * checkpoint record alone: which program starts (the shell ladder), where
 * (the saved cwd or its nearest existing parent), and what is typed at the
 * new prompt. Pure: the planner asks its probes, never the system, so every
 * hostile record can be tested without a process. The record is untrusted:
 * a saved shell is looked up by a known basename only, never run by path;
 * a program is re-run only when the allowlist says so; anything typed has
 * no control byte in it, so it can never press Enter.
 */
import type { PtySessionRecord } from '../../checkpoints/schema.js';
import { programName } from '../proc/program-name.js';
import { decideRerun, type RerunRule } from '../restore/rerun-policy.js';
import { quoteCommandLine, shellFamily } from '../restore/shell-quote.js';
import { KNOWN_SHELLS } from '../restore/shell-resolve.js';

/** What the planner may ask about the machine. */
export interface RevivePlanProbes {
  /** Absolute path of an executable found by name on PATH (or checked by path), or null. */
  findExecutable(nameOrPath: string): string | null;
  /** The nearest existing directory at or above `path`. */
  nearestExistingDir(path: string): string;
  /** $SHELL of the reviving process (untrusted too, but the user's own). */
  readonly envShell: string | undefined;
  /** The user's login shell from the passwd database, if known. */
  readonly passwdShell: string | undefined;
  /** The user's home, for a cwd that is not absolute. */
  readonly home: string;
}

/** One rung of the shell ladder that was tried and why it was passed over. */
export interface LadderStep {
  readonly rung: 'saved' | '$SHELL' | 'passwd' | 'bash' | 'sh';
  readonly tried: string;
  readonly outcome: 'started' | 'not-found' | 'not-a-shell' | 'absent';
}

/** What a revive does, and the notes a person reads about it. */
export interface RevivePlan {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** The shell's basename: decides quoting of what is typed. */
  readonly shell: string;
  /** Text typed at the first prompt: without Enter (`enter: false`) unless an allowlisted program is re-run. */
  readonly typed: { readonly text: string; readonly enter: boolean } | null;
  readonly ladder: readonly LadderStep[];
  readonly notes: readonly string[];
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const RUNG_ORDER = ['saved', '$SHELL', 'passwd', 'bash', 'sh'] as const;

/**
 * Plan a revive of `record` (a checkpoint's PTY session). Never fails: at
 * worst it starts `/bin/sh` in `/` and says why.
 */
export function planRevive(record: PtySessionRecord, rules: readonly RerunRule[], probes: RevivePlanProbes): RevivePlan {
  const notes: string[] = [];
  const ladder: LadderStep[] = [];

  const savedShell = record.isShell ? programName(record.argv[0] ?? '') : '';
  const candidates: Record<(typeof RUNG_ORDER)[number], string | undefined> = {
    saved: record.isShell ? savedShell : undefined,
    $SHELL: probes.envShell,
    passwd: probes.passwdShell,
    bash: 'bash',
    sh: 'sh',
  };
  let file = '/bin/sh';
  for (const rung of RUNG_ORDER) {
    const want = candidates[rung];
    if (!want) {
      if (rung === 'saved') continue;
      ladder.push({ rung, tried: '', outcome: 'absent' });
      continue;
    }
    // The saved one comes from an untrusted file: only a known shell, by name on PATH.
    const name = rung === 'saved' ? want : want.startsWith('/') ? want : programName(want);
    if (!KNOWN_SHELLS.has(programName(name))) {
      ladder.push({ rung, tried: name, outcome: 'not-a-shell' });
      continue;
    }
    const found = probes.findExecutable(rung === 'saved' ? programName(name) : name);
    if (!found) {
      ladder.push({ rung, tried: name, outcome: 'not-found' });
      continue;
    }
    ladder.push({ rung, tried: name, outcome: 'started' });
    file = found;
    break;
  }
  for (const step of ladder) {
    if (step.outcome === 'not-found') notes.push(`shell ${JSON.stringify(step.tried)} (${step.rung}) not found`);
    if (step.outcome === 'not-a-shell') notes.push(`${step.rung} ${JSON.stringify(step.tried)} is not a known shell; not started`);
  }
  if (!ladder.some((s) => s.outcome === 'started')) notes.push('no shell found on PATH; started /bin/sh');
  const shell = programName(file);

  const saved = record.cwd.path;
  const wanted = saved.startsWith('/') ? saved : probes.home;
  const cwd = probes.nearestExistingDir(wanted);
  if (cwd !== saved) notes.push(`cwd ${JSON.stringify(saved)} is gone; started in ${cwd}`);

  return { file, args: [], cwd, shell, typed: typedLine(record, rules, shell, notes), ladder, notes };
}

/** What goes on the first prompt line: a re-run of an allowlisted program, or a line to confirm. */
function typedLine(record: PtySessionRecord, rules: readonly RerunRule[], shell: string, notes: string[]): RevivePlan['typed'] {
  const family = shellFamily(shell);
  // A program the session ran in the foreground (or was started as) is argv: quoted for the shell.
  const argv = record.foreground.kind === 'job' ? record.foreground.argv : record.isShell ? null : record.argv;
  if (argv && argv.length > 0) {
    const quoted = quoteCommandLine(argv, family);
    if (quoted === null) {
      notes.push(`command ${JSON.stringify(argv.join(' '))} cannot be typed safely into ${shell}; not typed`);
      return null;
    }
    const decision = decideRerun(argv, rules);
    if (decision.action === 'run') return { text: quoted, enter: true };
    notes.push(`${decision.reason}: typed, not run`);
    return { text: quoted, enter: false };
  }
  const last = record.lastCommand?.commandLine;
  if (!last) return null;
  if (CONTROL.test(last)) {
    notes.push('last command line holds control characters; not typed');
    return null;
  }
  return { text: last, enter: false };
}

/** The crash-loop breaker of revives: a session revived this often this recently is left down. */
export const REVIVE_BREAKER = { maxRevives: 3, windowMs: 10 * 60_000 } as const;

/** Whether a session revived at `revives` (epoch ms) may be revived again at `now`. */
export function reviveAllowed(revives: readonly number[], now: number, policy: { maxRevives: number; windowMs: number } = REVIVE_BREAKER): boolean {
  return revives.filter((t) => t > now - policy.windowMs).length < policy.maxRevives;
}
