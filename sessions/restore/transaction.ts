/**
 * Executes a restore as a transaction: plan → build every session under a
 * temporary name (one tmux call) → verify against the checkpoint (one call)
 * → rename into place (one call) → type or re-run saved commands once each
 * shell is ready → show saved contents in the other panes and let their
 * shells start. Any failure before the rename removes what was built.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { closeSync, constants, openSync, readFileSync, writeSync } from 'node:fs';
import type { CheckpointBody, ContentsBlob, PaneRecord, SessionRecord } from '../../checkpoints/schema.js';
import { compareSessions, type Difference } from '../live/compare.js';
import type { LiveServer } from '../live/types.js';
import { readLayout, readLayoutOrEmpty } from '../tmux/layout-read.js';
import { readStat } from '../proc/facts.js';
import { sessionToRecord } from '../live/record.js';
import type { RerunRule } from './rerun-policy.js';
import { GATE_LINE_RE, planRestore, type LiveGroup, type RestorePlan, type RestoreTarget, type TypedCommand } from './plan.js';
import type { ServerSpec } from '../tmux/server.js';
import { nearestExistingDir, resolvePaneShell } from './shell-resolve.js';
import { assertSupportedVersion, chunkCommands, runTmux, runTmuxBatched, runTmuxScript, tmuxBinaryVersion, TmuxError, type TmuxCommand } from '../tmux/client.js';

/** Why a restore did not happen; the CLI turns these into exit codes. */
export class RestoreError extends Error {
  override readonly name = 'RestoreError';
  constructor(
    readonly kind: 'unknown-session' | 'exists' | 'bad-request' | 'build-failed' | 'verify-failed',
    message: string,
  ) {
    super(message);
  }
}

/** Progress a restore reports (the CLI shows it on a terminal). */
export type RestoreProgress =
  | { readonly phase: 'plan'; readonly sessions: number; readonly panes: number }
  | { readonly phase: 'build' | 'verify' | 'finalize'; readonly sessions: readonly string[] }
  | { readonly phase: 'commands'; readonly count: number }
  | { readonly phase: 'done'; readonly session: string; readonly windows: number; readonly panes: number };

export interface RestoreOptions {
  readonly server: ServerSpec;
  readonly checkpoint: CheckpointBody;
  /** Session names to restore; empty: every checkpointed session not running. */
  readonly sessions: readonly string[];
  readonly as?: string;
  readonly replace: boolean;
  readonly noCommands: boolean;
  readonly dryRun: boolean;
  readonly rules: readonly RerunRule[];
  /** Reads a contents blob by hash; null when missing (the pane restores without contents). */
  readonly readBlob: (sha256: string) => Promise<ContentsBlob | null>;
  readonly env: NodeJS.ProcessEnv;
  readonly onProgress?: (p: RestoreProgress) => void;
  /** How long to wait for shells before typing commands anyway. */
  readonly shellReadyTimeoutMs?: number;
}

export interface RestoreResult {
  readonly restored: { name: string; windows: number; panes: number }[];
  readonly skipped: { name: string; reason: string }[];
  readonly notes: string[];
  readonly plan: RestorePlan;
  readonly typed: { target: string; text: string; ran: boolean }[];
}

/** Named timing defaults. */
export const RESTORE_DEFAULTS = {
  shellReadyTimeoutMs: 5_000,
  pollMs: 15,
  /** The build batch may start hundreds of shells: allow time per pane. */
  buildBaseMs: 5_000,
  buildPerPaneMs: 25,
  /**
   * Bytes of argv per build chunk (below tmux's 16 KB message): smaller
   * chunks open their panes' gates sooner, each costs one tmux process.
   */
  buildChunkBytes: 8_000,
  /** tmux presses Enter in the panes opened last this long after the restore returns. */
  deferredEnterDelayMs: 100,
  /** Longest wait for tmux to take a pane's contents. */
  ttyWriteTimeoutMs: 5_000,
} as const;

/** Pick what to restore and under which names. Pure. */
export function chooseTargets(
  checkpoint: CheckpointBody,
  live: LiveServer,
  opts: Pick<RestoreOptions, 'sessions' | 'as' | 'replace'>,
  suffix: string,
): { targets: RestoreTarget[]; skipped: { name: string; reason: string }[] } {
  const liveByName = new Map(live.sessions.map((s) => [s.name, s]));
  const skipped: { name: string; reason: string }[] = [];
  let records: SessionRecord[];
  if (opts.sessions.length) {
    records = opts.sessions.map((n) => {
      const r = checkpoint.sessions.find((s) => s.name === n);
      if (!r) {
        const known = checkpoint.sessions.map((s) => s.name).join(', ') || 'none';
        throw new RestoreError('unknown-session', `Expected a session saved in checkpoint ${checkpoint.id}, got ${JSON.stringify(n)} (saved: ${known})`);
      }
      return r;
    });
  } else {
    records = checkpoint.sessions.filter((s) => {
      if (!liveByName.has(s.name) || opts.replace) return true;
      skipped.push({ name: s.name, reason: 'already running' });
      return false;
    });
  }
  if (opts.as !== undefined && records.length !== 1) {
    throw new RestoreError('bad-request', `Expected exactly one session with --as, got ${records.length}`);
  }
  const targets = records.map((record, i) => {
    const name = opts.as ?? record.name;
    const running = liveByName.get(name);
    if (running && !opts.replace) {
      throw new RestoreError(
        'exists',
        `Session ${JSON.stringify(name)} is already running; restore it --as another name or pass --replace`,
      );
    }
    return {
      record,
      name,
      tmpName: `tsession-restore-${suffix}-${i}`,
      ...(running ? { replaceId: running.id } : {}),
    };
  });
  return { targets, skipped };
}

/** Each pane's saved contents as terminal output (CRLF line ends, attributes reset), read before the build. */
async function readContents(
  targets: readonly RestoreTarget[],
  readBlob: RestoreOptions['readBlob'],
  notes: string[],
): Promise<Map<PaneRecord, string>> {
  const out = new Map<PaneRecord, string>();
  for (const t of targets) {
    for (const w of t.record.windows) {
      for (const p of w.panes) {
        if (!p.contents) continue;
        const blob = await readBlob(p.contents.blob);
        if (!blob) {
          notes.push(`${t.name}:${w.index}: contents of pane ${p.id} are missing (blob ${p.contents.blob.slice(0, 12)}); restored without them`);
          continue;
        }
        // No final line end: the echo of the Enter that opens the gate ends the last line.
        if (blob.normal) out.set(p, `${blob.normal.replace(/\n/g, '\r\n')}\x1b[0m`);
      }
    }
  }
  return out;
}

/** A pane terminal tmux created (Linux: a pty slave). */
const PANE_TTY_RE = /^\/dev\/pts\/\d+$/;

/** Synchronous sleep (the tty writes are synchronous on purpose: ordered before the Enter). */
const pause = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Write `text` to a pane's terminal as output. Non-blocking with a deadline:
 * a tmux that stops reading the pane must not hang the restore. Throws like
 * fs does, or with code ETIMEDOUT.
 */
function writeToTty(tty: string, text: string): void {
  if (!PANE_TTY_RE.test(tty)) throw new Error(`not a pty: ${JSON.stringify(tty)}`);
  const fd = openSync(tty, constants.O_WRONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
  try {
    const bytes = Buffer.from(text, 'utf8');
    const deadline = Date.now() + RESTORE_DEFAULTS.ttyWriteTimeoutMs;
    for (let off = 0; off < bytes.length; ) {
      try {
        off += writeSync(fd, bytes, off);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        // The pty buffer is full until tmux reads it.
        if (Date.now() > deadline) throw Object.assign(new Error('tmux stopped reading the pane'), { code: 'ETIMEDOUT' });
        pause(2);
      }
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens the gates of panes with contents. Each pane's contents are written
 * to its terminal as soon as the build reports the pane (the gate holds the
 * shell, so they come before its prompt); then Enter is pressed there and
 * the gate execs the shell. Panes that will get a typed command get their
 * Enter at once, so those shells are up when the build ends; the others get
 * theirs last, from tmux itself a moment after the restore returns: a
 * hundred shells starting at once take the CPU for a second or more on 2
 * cores, and would slow tmux while it builds or this process while it exits
 * (tmux's own `source-file` also returns with shells still starting). A pane
 * whose terminal cannot be written still gets its Enter.
 */
function gateOpener(
  plan: RestorePlan,
  contents: ReadonlyMap<PaneRecord, string>,
  early: ReadonlySet<PaneRecord>,
  opts: RestoreOptions,
  notes: string[],
) {
  const pending: Promise<void>[] = [];
  const deferred: string[] = [];
  const seen = new Set<number>();
  const send = (commands: TmuxCommand[], panes: number): void => {
    pending.push(
      runTmuxScript(opts.server, commands, { env: opts.env }).then(
        (r) => void (r.someFailed && notes.push(`some panes did not take the Enter that starts their shell: ${r.stderr.trim().split('\n')[0]}`)),
        (e: unknown) => void notes.push(`could not start the shells of ${panes} pane(s): ${(e as Error).message}`),
      ),
    );
  };
  return {
    /** Show the contents of the panes a build chunk reports; press Enter in the early ones. */
    reported(buildOutput: Buffer): void {
      const now: TmuxCommand[] = [];
      for (const line of buildOutput.toString('utf8').split('\n')) {
        const m = GATE_LINE_RE.exec(line);
        const n = m ? Number(m[1]) : -1;
        const pane = plan.gates[n];
        if (!m || !pane || seen.has(n)) continue;
        seen.add(n);
        const text = contents.get(pane);
        try {
          if (text !== undefined) writeToTty(m[3]!, text);
        } catch (e) {
          notes.push(`contents of pane ${pane.id} not shown (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
        }
        if (early.has(pane)) now.push(['send-keys', '-t', m[2]!, 'Enter']);
        else deferred.push(m[2]!);
      }
      if (now.length) send(now, now.length);
    },
    /** Wait until the Enters sent so far were taken. */
    settled: (): Promise<unknown> => Promise.all(pending),
    /** Press Enter in the rest, from inside tmux after a moment (one command group per pane). */
    async finish(): Promise<void> {
      const delay = String(RESTORE_DEFAULTS.deferredEnterDelayMs / 1000);
      const later = deferred.splice(0).map((id): TmuxCommand => ['run-shell', '-b', '-d', delay, '-C', `send-keys -t ${id} Enter`]);
      if (later.length) send(later, later.length);
      await Promise.all(pending);
      if (seen.size < plan.gates.length) notes.push(`${plan.gates.length - seen.size} pane(s) with contents did not report their terminal; their shells wait for Enter`);
    },
    /** After a failed build: only let the Enters already sent settle (the panes are being removed). */
    abandon: (): Promise<unknown> => Promise.all(pending),
  };
}

// Syscalls an idle interactive shell sleeps in while waiting for a key.
const WAITING_SYSCALLS = new Set([0, 7, 23, 232, 270, 271, 281, 441]);

/** True when the pane's process has become the shell and sleeps waiting for input. */
function shellReady(pid: number, shellName: string): boolean {
  const st = readStat(pid);
  if (!st || st.state !== 'S' || st.tpgid !== st.pgrp) return false;
  if (shellName && !st.comm.startsWith(shellName.slice(0, 15))) return false;
  try {
    const sys = Number(readFileSync(`/proc/${pid}/syscall`, 'latin1').split(' ')[0]);
    return WAITING_SYSCALLS.has(sys);
  } catch {
    return true;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Verify built sessions against their records; differences that make the restore wrong. */
function verify(targets: readonly RestoreTarget[], built: LiveServer): { fatal: string[]; notes: string[] } {
  const fatal: string[] = [];
  const notes: string[] = [];
  for (const t of targets) {
    const live = built.sessions.find((s) => s.name === t.tmpName);
    if (!live) {
      fatal.push(`session ${t.name} was not created`);
      continue;
    }
    const diffs: Difference[] = compareSessions(t.record, sessionToRecord(live), {
      autoNames: false,
      cwds: false,
      commands: false,
      flags: false,
    });
    for (const d of diffs) {
      const line = `${t.name}: ${d.kind} at ${d.where}: saved ${JSON.stringify(d.saved)}, built ${JSON.stringify(d.live)}`;
      // A layout tmux adapted to another window size is still the same
      // arrangement; anything structural means the restore is wrong.
      (d.kind === 'layout' ? notes : fatal).push(line);
    }
  }
  return { fatal, notes };
}

/** One line saying why a tmux call (or anything else) failed: tmux's first stderr line when it has one. */
function failureLine(e: unknown): string {
  return e instanceof TmuxError ? e.stderr.trim().split('\n')[0] || e.message : (e as Error).message;
}

/** Running sessions that stay (not replaced by a target), by session group. */
function liveGroupsOf(live: LiveServer, targets: readonly RestoreTarget[]): Map<string, LiveGroup> {
  const replaced = new Set(targets.flatMap((t) => (t.replaceId ? [t.replaceId] : [])));
  const groups = new Map<string, LiveGroup>();
  for (const s of live.sessions) {
    if (!s.group || replaced.has(s.id) || groups.has(s.group)) continue;
    groups.set(s.group, { member: s.name, windows: s.windows.map((w) => ({ index: w.index, name: w.name })) });
  }
  return groups;
}

/** Run the restore transaction. */
export async function restoreSessions(opts: RestoreOptions): Promise<RestoreResult> {
  const notes: string[] = [];
  let live = await readLayoutOrEmpty(opts.server, { env: opts.env });
  if (live.sessions.length === 0) assertSupportedVersion(await tmuxBinaryVersion());
  const suffix = randomBytes(4).toString('hex');
  const { targets, skipped } = chooseTargets(opts.checkpoint, live, opts, suffix);
  const paneCount = targets.reduce((n, t) => n + t.record.windows.reduce((m, w) => m + w.panes.length, 0), 0);
  opts.onProgress?.({ phase: 'plan', sessions: targets.length, panes: paneCount });

  // Server options shape the plan (window and pane numbering). start-server
  // loads the user's config exactly as the build will.
  let baseIndex = 0;
  let paneBaseIndex = 0;
  if (!opts.dryRun || live.sessions.length > 0) {
    const { stdout } = await runTmux(
      opts.server,
      [['start-server'], ['show-options', '-gv', 'base-index'], ['show-options', '-gwv', 'pane-base-index']],
      { env: opts.env },
    );
    const [b, pb] = stdout.toString('utf8').split('\n');
    baseIndex = Number(b) || 0;
    paneBaseIndex = Number(pb) || 0;
  }

  const contents = opts.dryRun ? new Map<PaneRecord, string>() : await readContents(targets, opts.readBlob, notes);

  const plan = planRestore(targets, {
    baseIndex,
    paneBaseIndex,
    nearestDir: nearestExistingDir,
    resolveShell: (p) => resolvePaneShell(p, opts.env),
    defaultTitle: hostname(),
    hasContents: (p) => (opts.dryRun ? p.contents !== null : contents.has(p)),
    rules: opts.rules,
    noCommands: opts.noCommands,
    liveGroups: liveGroupsOf(live, targets),
  });
  notes.push(...plan.notes);
  if (opts.dryRun || targets.length === 0) {
    return { restored: [], skipped, notes, plan, typed: [] };
  }

  const names = targets.map((t) => t.name);
  const rollback = async () => {
    // kill-session stops a batch at the first missing session: one by one.
    await Promise.all(plan.rollback.map((cmd) => runTmux(opts.server, [cmd], { env: opts.env }).catch(() => undefined)));
  };
  /** The saved pane a typed command belongs to. */
  const typedRecord = (t: TypedCommand): PaneRecord | undefined =>
    targets.find((x) => x.tmpName === t.session)?.record.windows.find((w) => w.index === t.windowIndex)?.panes[t.position];
  const typedPanes = new Set(plan.typing.flatMap((t) => typedRecord(t) ?? []));
  const gates = gateOpener(plan, contents, typedPanes, opts, notes);
  try {
    opts.onProgress?.({ phase: 'build', sessions: names });
    // Chunk by chunk (each within tmux's message limit, in order), reading
    // each new pane's terminal from the chunk's output.
    for (const chunk of chunkCommands(plan.build, RESTORE_DEFAULTS.buildChunkBytes)) {
      const { stdout } = await runTmux(opts.server, chunk, {
        env: opts.env,
        timeoutMs: RESTORE_DEFAULTS.buildBaseMs + RESTORE_DEFAULTS.buildPerPaneMs * paneCount,
      });
      gates.reported(stdout);
    }
    opts.onProgress?.({ phase: 'verify', sessions: names });
    live = await readLayout(opts.server, { env: opts.env });
    const checked = verify(
      targets.filter((t) => !plan.grouped.includes(t)),
      live,
    );
    notes.push(...checked.notes);
    if (checked.fatal.length) throw new RestoreError('verify-failed', `Restore did not match the checkpoint: ${checked.fatal.join('; ')}`);
    opts.onProgress?.({ phase: 'finalize', sessions: names });
    await runTmuxBatched(opts.server, plan.finalize, { env: opts.env });
  } catch (e) {
    await gates.abandon();
    await rollback();
    if (e instanceof RestoreError) throw e;
    const why = failureLine(e);
    throw new RestoreError('build-failed', `Restore of ${names.join(', ')} failed and was rolled back: ${why}`);
  }

  // Sessions that share a group's windows join it now; the built ones are in
  // place whatever happens here, so a failure is a note, not a rollback.
  const notJoined = new Set<string>();
  for (const j of plan.joins) {
    try {
      await runTmuxBatched(opts.server, j.commands, { env: opts.env });
    } catch (e) {
      const why = failureLine(e);
      notes.push(`session ${JSON.stringify(j.name)}: not restored, joining its session group failed: ${why}`);
      notJoined.add(j.name);
    }
  }

  // Saved commands are typed only once each shell waits at its prompt: keys
  // sent earlier would be echoed by the tty before the prompt is drawn.
  const typed: RestoreResult['typed'] = [];
  try {
    await typeCommands();
  } finally {
    // The other gated shells start now, not while tmux was building or the
    // commands were typed — and whatever typing did.
    await gates.finish();
  }
  async function typeCommands(): Promise<void> {
    if (!plan.typing.length) return;
    opts.onProgress?.({ phase: 'commands', count: plan.typing.length });
    // A gate still waiting for its Enter looks like an idle `sh`.
    await gates.settled();
    const jobs = plan.typing.flatMap((t) => {
      const s = live.sessions.find((x) => x.name === t.session);
      const pane = s?.windows.find((w) => w.index === t.windowIndex)?.panes[t.position];
      const record = typedRecord(t);
      const shell = record ? resolvePaneShell(record, opts.env).argv[0] ?? '' : '';
      return pane ? [{ t, pane, shell: shell.slice(shell.lastIndexOf('/') + 1) }] : [];
    });
    const deadline = Date.now() + (opts.shellReadyTimeoutMs ?? RESTORE_DEFAULTS.shellReadyTimeoutMs);
    const pending = new Set(jobs);
    const ready: typeof jobs = [];
    const seenOnce = new Set<(typeof jobs)[number]>();
    while (pending.size && Date.now() < deadline) {
      for (const j of pending) {
        if (shellReady(j.pane.pid, j.shell)) {
          // Ready twice in a row: not a brief read of an rc file.
          if (seenOnce.has(j)) {
            pending.delete(j);
            ready.push(j);
          } else seenOnce.add(j);
        } else seenOnce.delete(j);
      }
      if (pending.size) await sleep(RESTORE_DEFAULTS.pollMs);
    }
    for (const j of pending) notes.push(`${j.pane.id}: shell not ready after ${opts.shellReadyTimeoutMs ?? RESTORE_DEFAULTS.shellReadyTimeoutMs} ms; typed anyway`);
    const keys: TmuxCommand[] = [];
    for (const j of [...ready, ...pending]) {
      keys.push(['send-keys', '-t', j.pane.id, '-l', '--', j.t.text]);
      if (j.t.enter) keys.push(['send-keys', '-t', j.pane.id, 'Enter']);
      typed.push({ target: j.pane.id, text: j.t.text, ran: j.t.enter });
    }
    if (!keys.length) return;
    try {
      await runTmuxBatched(opts.server, keys, { env: opts.env });
    } catch (e) {
      // A batch stops at its first failure (a pane closed meanwhile); the
      // sessions are in place, so say so rather than fail the restore.
      // Keys already sent are not sent again.
      const why = failureLine(e);
      notes.push(`typing saved commands stopped: ${why}`);
    }
  }
  const restored = targets.filter((t) => !notJoined.has(t.name)).map((t) => ({
    name: t.name,
    windows: t.record.windows.length,
    panes: t.record.windows.reduce((n, w) => n + w.panes.length, 0),
  }));
  for (const r of restored) opts.onProgress?.({ phase: 'done', session: r.name, windows: r.windows, panes: r.panes });
  return { restored, skipped, notes, plan, typed };
}
