/**
 * The real TuiServices: probes and classifies (refresher.ts), reads and
 * deletes checkpoints (the store), and for the work calls the same use cases
 * as the command line (src/ops/: diff, restore, unfreeze — each journaled
 * there); saves by running `tsession save` as a child (the save op behind
 * the bin's fast start, its exit codes and messages, off this thread).
 * Every call is bounded; failures come back as ActionResults with words a
 * person can act on, never as throws into the interface — and so does a
 * journal that could not be written.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { paneCount } from '../../checkpoints/counts.js';
import { count, paneName, visible } from '../../checkpoints/words.js';
import { errorMessage } from '../../checkpoints/result.js';
import type { SessionRecord } from '../../checkpoints/schema.js';
import { PROBE_LIMITS } from '../../sessions/health/probes.js';
import { programName } from '../../sessions/proc/program-name.js';
import { planRepair } from '../../sessions/repair/plan.js';
import { decideRerun, type RerunRule } from '../../sessions/restore/rerun-policy.js';
import type { Context } from '../context.js';
import type { ActionResult, DiffResult, RestorePreview, Snapshot, TuiServices, UnlistedCommand } from './model.js';
import type { RefreshReply, RefreshWorkerData } from './refresh-worker.js';
import { createRefresher } from './refresher.js';
import { journalIn, JOURNAL_FILE, JOURNAL_ROTATED_FILE, readJournal } from '../ops/journal.js';
import { buildTimeline, causeOf, savesByCause, UNREAD_JOURNAL, type JournaledCauses } from '../ops/timeline.js';
import { attachMode } from './attach.js';
import { runTmux } from '../../sessions/tmux/client.js';
import { capturePanes } from '../../sessions/tmux/capture.js';
import { localTime } from './view/panels.js';
import { stat } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';
import { findExecutable } from '../../sessions/restore/shell-resolve.js';
import { resolveDirectory } from './new-pty-form.js';
import { sgrLine } from './view/sgr-line.js';
import type { Line } from './view/line.js';
import { configFor } from '../ops/config.js';

/** Named bounds of the services. */
export const SERVICE_LIMITS = {
  /** A diff reads the live layout once. */
  diffTimeoutMs: 5_000,
  /** `tsession save` as a child. */
  saveTimeoutMs: 60_000,
  /** Capturing the selected session's active pane for the preview: a slow server must not pile captures up. */
  previewTimeoutMs: 1_000,
  /** Session records kept for timelines (one per checkpoint and session). */
  timelineRecords: 500,
} as const;

/** Tunables of the services (tests and the benchmark lower them). */
export interface ServiceOptions {
  readonly probeTimeoutMs?: number;
  readonly notReadingAfterMs?: number;
  /** Refresh in a worker thread (default); off in tests that run TypeScript sources. */
  readonly worker?: boolean;
}

// Loaded on first use: the first frame needs only probes, health and the store.
const lazy = {
  restore: () => import('../ops/restore.js'),
  diff: () => import('../ops/diff.js'),
  unfreeze: () => import('../ops/unfreeze.js'),
  departures: () => import('../ops/departures.js'),
  pty: () => import('../ops/pty-sessions.js'),
  ptyClient: () => import('../ops/pty-client.js'),
  /** The host's own rule for session names, asked only when a session is created. */
  ptyHost: () => import('../pty-host/host.js'),
  screenCells: () => import('./screen-cells.js'),
} as const;

/** The last screen read for a preview, and its lines: an unchanged screen is handed back as the same array. */
function previewCache<Raw>() {
  let last: { key: string; raw: Raw; lines: readonly Line[] } | null = null;
  return async (key: string, raw: Raw, same: (a: Raw, b: Raw) => boolean, render: (raw: Raw) => Promise<readonly Line[]> | readonly Line[]): Promise<readonly Line[]> => {
    if (last && last.key === key && same(last.raw, raw)) return last.lines;
    const lines = await render(raw);
    last = { key, raw, lines };
    return lines;
  };
}

/** The journal's cause of everything the interface does. */
const CAUSE = 'the interface (by hand)';

/**
 * A result line, led by why the journal could not be written when it could
 * not: the status line is one terminal line, and the result itself also
 * shows in its panel (phases, rungs).
 */
const withJournalProblem = (line: string, problem: string | null): string => (problem ? `${problem} — ${line}` : line);

/** Sessions of a body whose saved commands would be typed, not re-run, under `rules`. */
export function unlistedCommands(sessions: readonly SessionRecord[], rules: readonly RerunRule[]): UnlistedCommand[] {
  const out: UnlistedCommand[] = [];
  for (const s of sessions) {
    for (const w of s.windows) {
      w.panes.forEach((p, i) => {
        if (p.foreground.kind !== 'job' || !p.foreground.argv) return;
        if (decideRerun(p.foreground.argv, rules).action === 'run') return;
        out.push({ where: paneName(s.name, w.index, p.index ?? i), command: p.foreground.argv.join(' '), program: programName(p.foreground.argv[0] ?? '') });
      });
    }
  }
  return out;
}

/** The package's bin (dist/tsession.cjs, beside dist/src/): the fast path, tmux asked before the command line loads. */
export const cliPath = (): string => fileURLToPath(new URL('../../tsession.cjs', import.meta.url));

/** Global options of this run, to pass to a child `tsession`. */
function globalArgs(ctx: Context): string[] {
  const o = ctx.opts;
  return [
    ...(o.socketName ? ['-L', o.socketName] : []),
    ...(o.socketPath ? ['-S', o.socketPath] : []),
    ...(o.configFile ? ['-f', o.configFile] : []),
    ...(o.stateDir ? ['--state-dir', o.stateDir] : []),
  ];
}

/** Services for the server and state dir of `ctx`. */
export function createServices(ctx: Context, opts: ServiceOptions = {}): TuiServices {
  const tunables = {
    probeTimeoutMs: opts.probeTimeoutMs ?? PROBE_LIMITS.serverTimeoutMs,
    ...(opts.notReadingAfterMs !== undefined ? { notReadingAfterMs: opts.notReadingAfterMs } : {}),
  };
  // The main thread's refresher: the quick look, checkpoint bodies, and the
  // probes an unfreeze checks its steps with (refreshes pause meanwhile).
  const local = createRefresher(ctx, tunables);
  const checkpoint = local.checkpoint;
  const store = () => ctx.store();
  let last: Snapshot | null = null;
  const timelineRecords = new Map<string, SessionRecord | null>();
  // The whole journal, read again only when its file changed: it says why each checkpoint was taken.
  let journalRead: { stamp: string; known: JournaledCauses } | null = null;
  const journalCauses = async (): Promise<JournaledCauses> => {
    const st = await stat(join(ctx.storeDir, JOURNAL_FILE)).catch(() => null);
    const rotated = await stat(join(ctx.storeDir, JOURNAL_ROTATED_FILE)).then(() => true, () => false);
    const stamp = st ? `${st.size} ${st.mtimeMs} ${rotated}` : `none ${rotated}`;
    if (journalRead?.stamp !== stamp) {
      const j = await readJournal(ctx.storeDir).catch(() => null);
      journalRead = { stamp, known: j ? savesByCause(j.entries, j.complete) : UNREAD_JOURNAL };
    }
    return journalRead.known;
  };
  const remember = (s: Snapshot): Snapshot => (last = s);
  // The PTY use cases, loaded on first use; a host this interface starts runs the same bin as its other children.
  const pty = async () => {
    const [ops, { ptyAccessOf }] = await Promise.all([lazy.pty(), lazy.ptyClient()]);
    return { ops, access: ptyAccessOf(ctx, [process.execPath, cliPath()]) };
  };
  const tmuxPreview = previewCache<string>();
  const ptyPreview = previewCache<{ readonly ansi: string; readonly cols: number; readonly rows: number }>();
  // Started by the first refresh, after the first frame: its own module
  // loading would otherwise compete with the frame for the CPU.
  let worker: ReturnType<typeof startWorker> | undefined;
  return {
    info: {
      serverLabel: ctx.server.label,
      socketPath: ctx.server.socketPath,
      stateDir: ctx.paths.stateDir,
      ownPane: attachMode(ctx.server, ctx.env) === 'switch-client' ? (ctx.env.TMUX_PANE ?? null) : null,
      home: ctx.env.HOME ?? null,
    },

    async quick() {
      const q = await local.quick();
      // The quick look lists no PTY sessions: the last refresh's stand until the next (back from an attach, the PTY row stays).
      return remember(last?.pty !== undefined ? { ...q, pty: last.pty } : q);
    },

    async refresh() {
      if (worker === undefined) worker = opts.worker === false ? null : startWorker(ctx, tunables);
      return remember(worker ? await worker.refresh().catch(() => local.refresh()) : await local.refresh());
    },

    checkpoint,

    async diff(session, checkpointId): Promise<DiffResult> {
      const r = await checkpoint(checkpointId);
      if (!r.ok) return { kind: 'error', message: r.message };
      const saved = r.body.sessions.find((s) => s.name === session);
      if (!saved) return { kind: 'not-saved' };
      if (last?.report.server.state === 'frozen') return { kind: 'error', message: 'the tmux server is frozen; u unfreezes it first' };
      try {
        const { diffSession } = await lazy.diff();
        // What a person would notice: windows and panes, names, cwds, commands — not layout strings or flags.
        const compare = { layouts: false, flags: false };
        const differences = await diffSession(ctx, saved, { timeoutMs: SERVICE_LIMITS.diffTimeoutMs, compare }); // tmux's call settles on this timeout itself
        // null: not running, or no server runs at all.
        if (!differences) return { kind: 'not-running', checkpointId, windows: saved.windows.length, panes: paneCount(saved) };
        return { kind: 'differences', checkpointId, differences };
      } catch (e) {
        return { kind: 'error', message: errorMessage(e) };
      }
    },

    async previewRestore(req): Promise<RestorePreview | ActionResult> {
      const r = await checkpoint(req.checkpointId);
      if (!r.ok) return { ok: false, message: r.message };
      const chosen = r.body.sessions.filter((s) => req.sessions.includes(s.name));
      const missing = req.sessions.filter((n) => !chosen.some((s) => s.name === n));
      if (missing.length) return { ok: false, message: `checkpoint ${req.checkpointId} does not hold ${missing.join(', ')}` };
      const { config } = await configFor(ctx, ['rerun']); // its warning comes with the restore's result
      const liveNames = new Set((last?.report.sessions ?? []).filter((v) => v.liveSession).map((v) => v.session));
      return {
        checkpointId: r.body.id,
        createdAt: r.body.createdAt,
        sessions: chosen.map((s) => ({ name: s.name, windows: s.windows.map((w) => ({ index: w.index, name: w.name })), panes: paneCount(s) })),
        unlisted: unlistedCommands(chosen, config.rerun.allowlist),
        // A copy replaces nothing.
        running: req.as !== undefined ? [] : req.sessions.filter((n) => liveNames.has(n)),
        ...(req.as !== undefined ? { as: req.as } : {}),
      };
    },

    async restore(req, approve, onProgress): Promise<ActionResult> {
      try {
        const [{ config, warning }, r, { restore }] = await Promise.all([configFor(ctx, ['rerun']), checkpoint(req.checkpointId), lazy.restore()]);
        if (!r.ok) return { ok: false, message: r.message };
        const chosen = r.body.sessions.filter((x) => req.sessions.includes(x.name));
        // Approval covers exactly the programs that were listed, for this restore only.
        const approved: RerunRule[] = approve ? [...new Set(unlistedCommands(chosen, config.rerun.allowlist).map((u) => u.program))].map((program) => ({ program, whenAnyArg: null })) : [];
        const { result, journalProblem, lostContents } = await restore(
          // The config warning goes in the message below, never on stderr under the interface.
          { ...ctx, warn: () => {} },
          { checkpoint: r.body, sessions: req.sessions, replace: req.replace, noCommands: false, dryRun: false, approved, onProgress, ...(req.as !== undefined ? { as: req.as } : {}) },
          { cause: CAUSE, journal: journalIn(ctx.storeDir) },
        );
        const parts = result.restored.map((x) => `restored ${visible(x.name)} (${count(x.windows, 'window')}, ${count(x.panes, 'pane')})`);
        for (const x of result.skipped) parts.push(`skipped ${x.name}: ${x.reason}`);
        const typed = result.typed.filter((t) => !t.ran).length;
        if (typed) parts.push(`${count(typed, 'command')} typed at the prompt, not run`);
        // Said first among the notes: the restore came back without something it saved.
        if (lostContents.length) parts.push(`saved contents lost (${count(lostContents.length, 'blob')} ${lostContents[0]!.reason})`);
        if (result.notes.length) parts.push(`${count(result.notes.length, 'note')}: ${result.notes[0]}`);
        if (warning) parts.push(`warning: ${warning}`);
        return { ok: result.restored.length > 0 && lostContents.length === 0, message: withJournalProblem(`${parts.join('; ') || 'nothing restored'} — from the checkpoint of ${localTime(r.body.createdAt)}`, journalProblem) };
      } catch (e) {
        return { ok: false, message: errorMessage(e) };
      }
    },

    restoreDetached(req) {
      const args = [cliPath(), ...globalArgs(ctx), 'restore', ...req.sessions, '--from', req.checkpointId, ...(req.replace ? ['--replace'] : []), ...(req.as !== undefined ? ['--as', req.as] : [])];
      return new Promise<ActionResult>((resolve) => {
        // Its own session and process group: the tmux server's SIGHUP to this
        // interface's pane does not reach it; the op journals its result.
        const child = spawn(process.execPath, args, { env: ctx.env, stdio: 'ignore', detached: true });
        child.once('error', (e) => resolve({ ok: false, message: `could not start the restore: ${e.message}` }));
        child.once('spawn', () => {
          child.unref();
          resolve({ ok: true, message: `restoring ${req.sessions.map(visible).join(', ')} in process ${child.pid}; this interface ends with its session (tsession log shows the result)` });
        });
      });
    },

    async timeline(session, entries) {
      const known = await journalCauses();
      const inputs = [];
      // One file at a time, keeping only this session's record: keys are
      // answered between files, and fifty 400-pane bodies are not held.
      for (const e of entries) {
        const key = `${e.id}\n${session}`;
        let record = timelineRecords.get(key);
        if (record === undefined) {
          const r = e.valid ? await (await store()).read(e.id) : null;
          record = r?.ok ? (r.value.body.sessions.find((x) => x.name === session) ?? null) : null;
          // Checkpoints never change: a record read is kept (within a bound); a failed read is tried again.
          if (r === null || r.ok) {
            if (timelineRecords.size >= SERVICE_LIMITS.timelineRecords) timelineRecords.clear();
            timelineRecords.set(key, record);
          }
        }
        inputs.push({ id: e.id, createdAt: e.createdAt, cause: causeOf(e.id, e.createdAt, known), record });
      }
      return buildTimeline(inputs, ctx.env.HOME ?? null);
    },

    async copyToTmux(text) {
      const inside = ctx.env.TMUX ? ctx.env.TMUX.split(',').slice(0, -2).join(',') : '';
      if (!inside) return;
      // An application's OSC 52 reaches the clipboard only with set-clipboard on; tmux's own buffer always works.
      await runTmux({ socketPath: inside, label: '$TMUX' }, [['set-buffer', '-w', '--', text]], { env: ctx.env, timeoutMs: SERVICE_LIMITS.diffTimeoutMs }).catch(() => undefined);
    },

    save() {
      // The package's bin (dist/tsession.cjs, beside dist/src/): the fast path, tmux asked before the command line loads.
      return new Promise<ActionResult>((resolve) => {
        const child = spawn(process.execPath, [cliPath(), ...globalArgs(ctx), '--json', 'save'], { env: ctx.env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        const timer = setTimeout(() => child.kill('SIGKILL'), SERVICE_LIMITS.saveTimeoutMs);
        child.stdout.on('data', (b: Buffer) => (out += b.toString()));
        child.stderr.on('data', (b: Buffer) => (err += b.toString()));
        child.on('error', (e) => resolve({ ok: false, message: `could not run tsession save: ${e.message}` }));
        child.on('close', (code) => {
          clearTimeout(timer);
          try {
            const r = JSON.parse(out.trim().split('\n').pop() ?? '') as { saved: boolean; id?: string; reason?: string; sessions?: number; panes?: number };
            resolve(
              r.saved
                ? { ok: true, message: `saved a checkpoint: ${count(r.sessions ?? 0, 'session')}, ${count(r.panes ?? 0, 'pane')} (y copies its id)` }
                : { ok: true, message: `nothing saved: ${r.reason}` },
            );
          } catch {
            const why = err.trim().split('\n')[0]?.replace(/^tsession: /, '') || `exit code ${code}`;
            resolve({ ok: false, message: `save failed: ${why}` });
          }
        });
      });
    },

    async removeCheckpoint(id): Promise<ActionResult> {
      const r = await (await store()).remove(id);
      local.forget(id);
      return r.ok ? { ok: true, message: `deleted the checkpoint ${id}` } : { ok: false, message: r.error.message };
    },

    async forgetSession(name): Promise<ActionResult> {
      try {
        const f = await (await lazy.departures()).forgetSession(ctx, name);
        for (const id of f.removed) local.forget(id);
        const kept = f.kept ? `; kept ${count(f.kept, 'checkpoint')} other sessions need` : '';
        return { ok: true, message: `forgot ${visible(name)}: deleted ${count(f.removed.length, 'checkpoint')} holding only it${kept}` };
      } catch (e) {
        return { ok: false, message: `could not forget ${name}: ${errorMessage(e)}` };
      }
    },

    planUnfreeze(verdict) {
      const panes = last?.panes ?? [];
      const serverSessions = last ? last.report.sessions.filter((v) => v.live).map((v) => v.session) : [verdict.session];
      return planRepair(verdict, { paneCwd: (id) => panes.find((p) => p.paneId === id)?.shellCwd ?? null, serverSessions });
    },

    async unfreeze(plan, confirm, onEvent) {
      const { repair } = await lazy.unfreeze();
      const { outcome, journalProblem } = await repair(ctx, {
        plan,
        cause: CAUSE,
        journal: journalIn(ctx.storeDir),
        observe: () => local.prober.round(),
        confirm,
        onEvent,
      });
      return journalProblem ? { ...outcome, summary: withJournalProblem(outcome.summary, journalProblem) } : outcome;
    },

    async newPty(req) {
      // The host's own rule for names, before anything starts.
      if (!(await lazy.ptyHost()).isSessionName(req.name)) {
        return { ok: false, field: 'name', message: 'a name is letters, digits and . _ @ + - (64 at most, starting with a letter or digit)' };
      }
      const home = ctx.env.HOME ?? process.cwd();
      const cwd = resolveDirectory(req.cwd, home);
      const isDir = await stat(cwd).then((st) => st.isDirectory(), () => null);
      if (isDir !== true) return { ok: false, field: 'cwd', message: isDir === false ? `${visible(cwd)} is not a directory` : `no directory ${visible(cwd)}` };
      const program = req.argv?.[0];
      if (program !== undefined && findExecutable(program.includes('/') ? resolvePath(cwd, program) : program, ctx.env.PATH) === null) {
        return { ok: false, field: 'command', message: program.includes('/') ? `${visible(program)} is not an executable file` : `no program ${visible(program)} on PATH` };
      }
      try {
        const { ops, access } = await pty();
        // The size the session starts with; the first attach sets its own.
        const r = await ops.newPtySession(access, { name: req.name, argv: req.argv, cwd, cols: process.stdout.columns || 80, rows: process.stdout.rows || 24 });
        return { ok: true, message: `created the PTY session ${visible(req.name)} (pid ${r.pid}) in ${visible(cwd)}` };
      } catch (e) {
        const { PtyHostError } = await lazy.ptyClient();
        if (e instanceof PtyHostError && e.kind === 'exists') return { ok: false, field: 'name', message: `a PTY session named ${visible(req.name)} already exists: choose another name` };
        return { ok: false, message: `could not create ${visible(req.name)}: ${errorMessage(e)}` };
      }
    },

    async killPty(name) {
      try {
        const { ops, access } = await pty();
        await ops.killPtySession(access, name);
        return { ok: true, message: `killed the PTY session ${visible(name)}` };
      } catch (e) {
        return { ok: false, message: `could not kill ${visible(name)}: ${errorMessage(e)}` };
      }
    },

    async revivePty() {
      try {
        const { ops, access } = await pty();
        const sessions = await ops.revivePtySessions(access);
        return { ok: true, message: `the PTY host runs: ${count(sessions.filter((x) => x.kind === 'running').length, 'session')} running` };
      } catch (e) {
        return { ok: false, message: `could not revive: ${errorMessage(e)}` };
      }
    },

    async previewTmux(session) {
      const live = last?.report.sessions.find((v) => v.session === session)?.liveSession;
      const window = live?.windows.find((w) => w.active) ?? live?.windows[0];
      const pane = window?.panes.find((p) => p.active) ?? window?.panes[0];
      if (!live || !window || !pane) return 'not running';
      try {
        const c = (await capturePanes(ctx.server, [pane], pane.height, { env: ctx.env, timeoutMs: SERVICE_LIMITS.previewTimeoutMs })).get(pane.id);
        if (!c) return 'the pane closed';
        const text = pane.alternateOn && c.alternate !== null ? c.alternate : c.normal;
        // Captured with -e: each line's SGR becomes styles; any other sequence is dropped.
        const lines = await tmuxPreview(pane.id, text, (a, b) => a === b, (t) => t.split('\n').slice(-pane.height).map(sgrLine));
        return { pane: paneName(live.name, window.index, pane.index), lines };
      } catch (e) {
        return errorMessage(e);
      }
    },

    async previewPty(name) {
      try {
        const { ops, access } = await pty();
        const screen = await ops.previewPtySession(access, name);
        // Replayed into a private headless terminal and read back as cells: the session's bytes never reach this terminal.
        return await ptyPreview(name, screen, (a, b) => a.ansi === b.ansi && a.cols === b.cols && a.rows === b.rows, async (s) => (await lazy.screenCells()).screenCells(s.ansi, s.cols, s.rows));
      } catch (e) {
        return errorMessage(e);
      }
    },

    close() {
      void worker?.close();
    },
  };
}

/**
 * The refresh worker's heap: a small young generation. A refresh allocates
 * briefly (a layout, /proc reads, a snapshot) and keeps little; V8's default
 * semi-spaces let a worker refreshing back to back hold tens of MB it never
 * needs.
 */
export const WORKER_HEAP = { maxYoungGenerationSizeMb: 4 } as const;

/** The refresh worker, or null when it cannot start (then refreshes run here). */
function startWorker(ctx: Context, refresher: RefreshWorkerData['refresher']): { refresh(): Promise<Snapshot>; close(): Promise<void> } | null {
  const file = fileURLToPath(new URL('./refresh-worker.js', import.meta.url));
  let w: Worker;
  try {
    w = new Worker(file, { workerData: { opts: ctx.opts, env: { ...ctx.env }, refresher } satisfies RefreshWorkerData, resourceLimits: WORKER_HEAP });
  } catch {
    return null;
  }
  w.unref();
  let seq = 0;
  let broken: string | null = null;
  const waiting = new Map<number, { resolve(s: Snapshot): void; reject(e: Error): void }>();
  const failAll = (why: string) => {
    broken = why;
    for (const p of waiting.values()) p.reject(new Error(why));
    waiting.clear();
  };
  w.on('message', (m: RefreshReply) => {
    const p = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.error !== undefined) p?.reject(new Error(m.error));
    else p?.resolve(m.snapshot as Snapshot);
  });
  w.on('error', (e) => failAll(`the refresh worker failed: ${e.message}`));
  w.on('exit', () => failAll('the refresh worker exited'));
  return {
    refresh: () =>
      broken
        ? Promise.reject(new Error(broken))
        : new Promise<Snapshot>((resolve, reject) => {
            const id = ++seq;
            waiting.set(id, { resolve, reject });
            w.postMessage({ id });
          }),
    close: async () => {
      await w.terminate();
    },
  };
}
