/**
 * Executes a restore as a transaction: plan → build every session under a
 * temporary name (one tmux call) → verify against the checkpoint (one call)
 * → rename into place (one call) → type or re-run saved commands once each
 * shell is ready → show saved contents in the other panes and let their
 * shells start. Any failure before the rename removes what was built.
 * The gates (gates.ts) and the typing (typing.ts) are their own modules.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { paneCount as panesOf, totalPanes } from '../../checkpoints/counts.js';
import { paneName } from '../../checkpoints/words.js';
import type { CheckpointBody, ContentsBlob, PaneRecord, SessionRecord } from '../../checkpoints/schema.js';
import { compareSessions, type Difference } from '../live/compare.js';
import type { LiveServer } from '../live/types.js';
import { readLayout, readLayoutOnceExited } from '../tmux/layout-read.js';
import { sessionToRecord } from '../live/record.js';
import type { RerunRule } from './rerun-policy.js';
import { planRestore, tmuxStoredName, type LiveGroup, type RestorePlan, type RestoreTarget, type TypedCommand } from './plan.js';
import type { ServerSpec } from '../tmux/server.js';
import { memoizedFind, nearestExistingDir, resolvePaneShell } from './shell-resolve.js';
import { chunkCommands, type TmuxCommand } from '../tmux/argv.js';
import { assertSupportedVersion, runTmux, runTmuxBatched, tmuxBinaryVersion } from '../tmux/client.js';
import { failureLine } from './failure-line.js';
import { GATE_TIMING, openGates } from './gates.js';
import { finishRestore, type RestoreFinish } from './finish.js';
import { typedOf, TYPING_TIMING, type Typed, type TypingJob } from './typing.js';
import { restoreTmpName } from '../live/pending.js';

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
  /**
   * 'wait' (default): return once commands are typed and re-run programs
   * started. 'handoff': return once the sessions are in place, with what is
   * left in RestoreResult.handoff for the caller to finish (finish.ts).
   */
  readonly typing?: 'wait' | 'handoff';
}

export interface RestoreResult {
  readonly restored: { name: string; windows: number; panes: number }[];
  readonly skipped: { name: string; reason: string }[];
  readonly notes: string[];
  readonly plan: RestorePlan;
  /** What was typed where; with a handoff, what will be. */
  readonly typed: Typed[];
  /** The restore's end, left to the caller (RestoreOptions.typing 'handoff' with commands to type); null: finished. */
  readonly handoff: RestoreFinish | null;
}

/** Named timing defaults (the gates' and typing's included). */
export const RESTORE_DEFAULTS = {
  ...TYPING_TIMING,
  /** The build batch may start hundreds of shells: allow time per pane. */
  buildBaseMs: 5_000,
  buildPerPaneMs: 25,
  /**
   * Bytes of argv per build chunk, below tmux's 16 KB message with room for
   * the early gates' Enters that lead each chunk. Each chunk costs one tmux
   * process (a fork of this one, ~5-8 ms of CPU at 400 panes); smaller
   * chunks would open the early gates sooner, but 8 KB chunks cost 400
   * panes ~30 tmux clients and the build ~1.6x the CPU of source-file.
   */
  buildChunkBytes: 12_000,
  /** Saved contents blobs read at the same time. */
  blobReadsAtOnce: 32,
  /** Added to a pending mark's deadline beyond the restore's own waits. */
  pendingMarginMs: 10_000,
  ...GATE_TIMING,
} as const;

/** How the names of sessions still being built start (renamed into place once verified). */
export { RESTORE_TMP_PREFIX as TEMP_NAME_PREFIX } from '../live/pending.js';

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
      tmpName: restoreTmpName(suffix, i),
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
  const wanted = targets.flatMap((t) =>
    t.record.windows.flatMap((w) => w.panes.flatMap((p, i) => (p.contents ? [{ p, blob: p.contents.blob, where: paneName(t.name, w.index, i) }] : []))),
  );
  // Several at a time: one after the other, 400 blob reads took up to a
  // tenth of a 400-pane restore; a bound keeps descriptors in check.
  const blobs: (ContentsBlob | null)[] = new Array<ContentsBlob | null>(wanted.length).fill(null);
  let next = 0;
  const worker = async () => {
    for (let k = next++; k < wanted.length; k = next++) blobs[k] = await readBlob(wanted[k]!.blob);
  };
  await Promise.all(Array.from({ length: Math.min(RESTORE_DEFAULTS.blobReadsAtOnce, wanted.length) }, worker));
  wanted.forEach(({ p, blob: sha, where }, k) => {
    const blob = blobs[k];
    if (!blob) {
      notes.push(`${where}: its saved contents could not be read (blob ${sha.slice(0, 12)}, missing or corrupt); restored without them`);
      return;
    }
    // No final line end: the echo of the Enter that opens the gate ends the last line.
    if (blob.normal) out.set(p, `${blob.normal.replace(/\n/g, '\r\n')}\x1b[0m`);
  });
  return out;
}

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

/** The `set-option -p` commands of the saved pane options, by the built panes' ids (from the layout read after the build). */
function paneOptionCommands(plan: RestorePlan, built: LiveServer): TmuxCommand[] {
  const commands: TmuxCommand[] = [];
  for (const o of plan.options) {
    const id = built.sessions.find((s) => s.name === o.session)?.windows.find((w) => w.index === o.windowIndex)?.panes[o.position]?.id;
    if (id) for (const [name, value] of o.options) commands.push(['set-option', '-p', '-t', id, name, value]);
  }
  return commands;
}

/** Run the restore transaction. */
export async function restoreSessions(opts: RestoreOptions): Promise<RestoreResult> {
  const notes: string[] = [];
  // Right after a kill-server the old server may still be on its way out.
  let live = await readLayoutOnceExited(opts.server, { env: opts.env });
  if (live.sessions.length === 0) assertSupportedVersion(await tmuxBinaryVersion());
  const suffix = randomBytes(4).toString('hex');
  const { targets, skipped } = chooseTargets(opts.checkpoint, live, opts, suffix);
  const paneCount = totalPanes(targets.map((t) => t.record));
  opts.onProgress?.({ phase: 'plan', sessions: targets.length, panes: paneCount });

  // Server options shape the plan (window and pane numbering). Starting the
  // server loads the user's config exactly as the build will.
  let baseIndex = 0;
  let paneBaseIndex = 0;
  // A server this restore starts is started here, by a short command: a tmux
  // server's process title (/proc/<pid>/cmdline, what `ps` shows) stays the
  // argv of the client that started it, and the build's argv holds every
  // saved name and path. With no session yet, exit-empty off keeps it up
  // until the built sessions do; then it gets the config's value back.
  const starts = !opts.dryRun && live.sessions.length === 0 && targets.length > 0;
  /** exit-empty as the user's config left it, while this restore holds it off; null when it does not. */
  let exitEmpty: 'on' | 'off' | null = null;
  const exitEmptyBack = (): TmuxCommand[] => (exitEmpty === null ? [] : [['set-option', '-s', 'exit-empty', exitEmpty]]);
  const giveBackExitEmpty = async () => {
    const back = exitEmptyBack();
    exitEmpty = null;
    // Back on, a server left with no session exits, as it would have.
    if (back.length) await runTmux(opts.server, back, { env: opts.env }).catch(() => undefined);
  };
  if (!opts.dryRun || live.sessions.length > 0) {
    const hold: TmuxCommand[] = starts ? [['show-options', '-sv', 'exit-empty'], ['set-option', '-s', 'exit-empty', 'off']] : [];
    const { stdout } = await runTmux(
      opts.server,
      [['start-server'], ...hold, ['show-options', '-gv', 'base-index'], ['show-options', '-gwv', 'pane-base-index']],
      { env: opts.env },
    );
    const lines = stdout.toString('utf8').split('\n');
    if (starts) exitEmpty = lines.shift() === 'off' ? 'off' : 'on';
    const [b, pb] = lines;
    baseIndex = Number(b) || 0;
    paneBaseIndex = Number(pb) || 0;
  }

  // A typist in the background may wait longer for slow shells than a caller would.
  const readyTimeoutMs = opts.shellReadyTimeoutMs ?? (opts.typing === 'handoff' ? TYPING_TIMING.backgroundReadyTimeoutMs : TYPING_TIMING.shellReadyTimeoutMs);
  const find = memoizedFind();
  let contents: Map<PaneRecord, string>;
  try {
    contents = opts.dryRun ? new Map<PaneRecord, string>() : await readContents(targets, opts.readBlob, notes);
  } catch (e) {
    await giveBackExitEmpty();
    throw e;
  }

  const plan = planRestore(targets, {
    baseIndex,
    paneBaseIndex,
    nearestDir: nearestExistingDir,
    resolveShell: (p) => resolvePaneShell(p, opts.env, find),
    defaultTitle: hostname(),
    hasContents: (p) => (opts.dryRun ? p.contents !== null : contents.has(p)),
    rules: opts.rules,
    noCommands: opts.noCommands,
    liveGroups: liveGroupsOf(live, targets),
    // The marks outlive a restore that dies half-way only this long (every wait below, and a margin).
    ...(opts.dryRun
      ? {}
      : {
          pending: {
            checkpointId: opts.checkpoint.id,
            untilMs:
              Date.now() +
              RESTORE_DEFAULTS.buildBaseMs +
              RESTORE_DEFAULTS.buildPerPaneMs * paneCount +
              readyTimeoutMs +
              RESTORE_DEFAULTS.rerunStartTimeoutMs +
              RESTORE_DEFAULTS.pendingMarginMs,
          },
        }),
  });
  notes.push(...plan.notes);
  if (opts.dryRun || targets.length === 0) {
    return { restored: [], skipped, notes, plan, typed: [], handoff: null };
  }

  const names = targets.map((t) => t.name);
  const rollback = async () => {
    // kill-session stops a batch at the first missing session: one by one.
    await Promise.all(plan.rollback.map((cmd) => runTmux(opts.server, [cmd], { env: opts.env }).catch(() => undefined)));
    await giveBackExitEmpty();
  };
  /** The saved pane a typed command belongs to. */
  const typedRecord = (t: TypedCommand): PaneRecord | undefined =>
    targets.find((x) => x.tmpName === t.session)?.record.windows.find((w) => w.index === t.windowIndex)?.panes[t.position];
  const typedPanes = new Set(plan.typing.flatMap((t) => typedRecord(t) ?? []));
  const paneNames = new Map(targets.flatMap((t) => t.record.windows.flatMap((w) => w.panes.map((p, i) => [p, paneName(tmuxStoredName(t.name), w.index, i)] as const))));
  const gates = openGates(plan, contents, typedPanes, { ...opts, paneName: (p) => paneNames.get(p) ?? p.id }, notes);
  try {
    opts.onProgress?.({ phase: 'build', sessions: names });
    // Chunk by chunk (each within tmux's message limit, in order), reading
    // each new pane's terminal from the chunk's output. The Enters of the
    // early gates reported by one chunk lead the next: every tmux client
    // costs a fork of this process and a connection, the bulk of the build
    // after tmux's own work (bench `crash`, 400 panes).
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
    // exit-empty goes back with the renames: the built sessions keep the server up.
    await runTmuxBatched(opts.server, [...plan.finalize, ...exitEmptyBack()], { env: opts.env });
    exitEmpty = null;
    // The sessions are back. Only now do the shells that get a typed command
    // start (one tmux call): started during the build, they took the CPU
    // from tmux building the rest (bench \`crash\`).
    gates.openEarly();
  } catch (e) {
    await gates.abandon();
    await rollback();
    if (e instanceof RestoreError) throw e;
    throw new RestoreError('build-failed', `Restore of ${names.join(', ')} failed and was rolled back: ${failureLine(e)}`);
  }

  // Sessions that share a group's windows join it now; the built ones are in
  // place whatever happens here, so a failure is a note, not a rollback.
  const notJoined = new Set<string>();
  for (const j of plan.joins) {
    try {
      await runTmuxBatched(opts.server, j.commands, { env: opts.env });
    } catch (e) {
      notes.push(`session ${JSON.stringify(j.name)}: not restored, joining its session group failed: ${failureLine(e)}`);
      notJoined.add(j.name);
    }
  }

  // Saved commands are typed only once each shell waits at its prompt.
  let jobs: TypingJob[] = [];
  let finish: RestoreFinish;
  try {
    if (plan.typing.length) {
      opts.onProgress?.({ phase: 'commands', count: plan.typing.length });
      // A gate still waiting for its Enter looks like an idle `sh`.
      await gates.settled();
      jobs = plan.typing.flatMap((t) => {
        const s = live.sessions.find((x) => x.name === t.session);
        const pane = s?.windows.find((w) => w.index === t.windowIndex)?.panes[t.position];
        const record = typedRecord(t);
        const shell = record ? resolvePaneShell(record, opts.env, find).argv[0] ?? '' : '';
        const name = targets.find((x) => x.tmpName === t.session)?.name ?? t.session;
        return pane
          ? [
              {
                t: { text: t.text, enter: t.enter },
                pane: { id: pane.id, pid: pane.pid, tty: pane.tty },
                shell: shell.slice(shell.lastIndexOf('/') + 1),
                where: paneName(tmuxStoredName(name), t.windowIndex, t.position),
              },
            ]
          : [];
      });
    }
  } finally {
    finish = {
      jobs,
      deferredGates: await gates.handOver(),
      paneOptions: paneOptionCommands(plan, live),
      shellReadyTimeoutMs: readyTimeoutMs,
      serverPid: live.pid,
    };
  }
  // Typing waits for shells, however slowly their rc files run: a caller
  // that will not wait (tsession restore) takes it over; the rest finish here.
  const handoff = opts.typing === 'handoff' && jobs.length > 0 ? finish : null;
  const typed = handoff ? typedOf(jobs) : (await finishRestore(finish, opts, notes)).typed;
  // Said under the name tmux really stored (`a.b` is stored as `a_b`): the name a person can attach to.
  const restored = targets.filter((t) => !notJoined.has(t.name)).map((t) => ({
    name: tmuxStoredName(t.name),
    windows: t.record.windows.length,
    panes: panesOf(t.record),
  }));
  for (const r of restored) opts.onProgress?.({ phase: 'done', session: r.name, windows: r.windows, panes: r.panes });
  return { restored, skipped, notes, plan, typed, handoff };
}
