/**
 * Issue 3's save/restore benchmark, for the 120- and 400-pane fixtures:
 *
 * - whole-process `tsession save` (without and with pane contents), against
 *   the floor of one `tmux list-panes -a -F <LAYOUT_FORMAT>` process and a
 *   bare `node -e 0` start-up;
 * - in-process save phases: layout read, /proc, contents capture (from
 *   takeSnapshot's timings), blob puts, checkpoint write (with its seal and
 *   schema check probed apart), prune;
 * - whole-process `tsession restore` onto a killed server, against the floor
 *   of one `tmux start-server \; source-file <layout.conf>` process that
 *   builds the same layout; every run's pane count is checked; plus one
 *   in-process restore with its phases (plan, build, verify, finalize,
 *   waiting for shells before re-running commands).
 *
 * This machine exports NODE_EXTRA_CA_CERTS, which makes every node start
 * parse a CA bundle (~40 ms): CLI numbers are measured with the environment
 * as is and with that variable removed, interleaved. Targets are judged on
 * the latter (the summary says why); both verdicts are printed.
 *
 * Every tmux server is isolated (`-L tsession-bench-<pid>-<n> -f /dev/null`,
 * private HOME with empty rc files) and killed at the end, even on error.
 * Runs never overlap: before each timed restore, every bench server is
 * killed and its panes' processes are waited for.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { sealCheckpoint } from '../checkpoints/canonical.js';
import { serverDir } from '../checkpoints/paths.js';
import { DEFAULT_RETENTION } from '../checkpoints/retention.js';
import type { CheckpointBody, ContentsRef, SessionRecord } from '../checkpoints/schema.js';
import { createCheckpointStore } from '../checkpoints/store.js';
import { PROC_IDENTITY } from '../sessions/proc/liveness.js';
import { LAYOUT_COMMANDS, LAYOUT_FIELDS } from '../sessions/tmux/layout-read.js';
import { batchArgv } from '../sessions/tmux/argv.js';
import { restoreSessions, type RestoreProgress } from '../sessions/restore/transaction.js';
import { resolveServer, type ServerSpec } from '../sessions/tmux/server.js';
import { takeSnapshot } from '../sessions/live/snapshot.js';
import { lineCount } from '../src/ops/save.js';
import { DEFAULT_CONFIG } from '../src/ops/config.js';
import { FIXTURES, buildFixture, type FixtureShape } from './fixture.js';
import { median, repoRoot, verdict, type BenchSection } from './harness.js';
import {
  createBenchServer,
  disposeAllServers,
  floorConfig,
  killAndWait,
  paneCount,
  timedSpawn,
  waitGatesOpen,
  type BenchServer,
} from './save-restore-tmux.js';

/** Tunables and targets of this section. */
/** The save floor's format: one list-panes row per pane with every field the layout read uses. */
const ONE_CALL_FORMAT = LAYOUT_FIELDS.map((f) => `#{${f}}`).join(' ');

const SAVE_RESTORE_BENCH = {
  /** Whole-process saves per variant, after `saveWarmup` discarded rounds. */
  saveRuns: 7,
  saveWarmup: 1,
  /**
   * Whole-process restores without NODE_EXTRA_CA_CERTS (the judged variant)
   * and source-file floors, interleaved. A 400-pane run costs 15–25 s here
   * (tmux forks the utempter helper and waits for it for every pane it
   * creates and again for every pane it destroys), so the as-is variant,
   * whose only difference is one node start-up (~40 ms, measured precisely
   * by the save runs and node -e 0), gets fewer runs. Even so the section
   * takes ~9 minutes on this shared 2-core machine (load 3–15 from other
   * work): tmux's per-pane cost, not tsession, sets that. The warm-up is a
   * `restore --dry-run` per variant.
   */
  restoreRuns: 5,
  restoreRunsAsIs: 2,
  /** In-process save phase samples per contents setting (after one warm-up). */
  phaseRuns: 5,
  contentsLines: 2000,
  targets: {
    /** 400-pane whole-process save without contents (ms). */
    saveNoContentsMs: 150,
    /** 400-pane whole-process save with contents (ms). */
    saveContentsMs: 400,
    /** 400-pane whole-process restore (ms). */
    restoreMs: 1500,
    /** 400-pane restore ÷ source-file floor. */
    restoreFloorRatio: 1.3,
  },
} as const;

const SIZES = [
  { key: 'p120', shape: FIXTURES.p120 },
  { key: 'p400', shape: FIXTURES.p400 },
] as const satisfies readonly { key: string; shape: FixtureShape }[];

type EnvVariant = 'asIs' | 'noExtraCa';
const ENV_VARIANTS: readonly EnvVariant[] = ['asIs', 'noExtraCa'];
type Contents = 'none' | 'full';
const CONTENTS: readonly Contents[] = ['none', 'full'];

const r1 = (n: number): number => Math.round(n * 10) / 10;
const ms = (n: number): string => `${Math.round(n)} ms`;
const ratio = (a: number, b: number): string => `×${(a / b).toFixed(2)}`;
const load1 = (): number => Number(readFileSync('/proc/loadavg', 'latin1').split(' ')[0]);

/** Environment for a process: `env`, minus NODE_EXTRA_CA_CERTS for `noExtraCa`. */
function withVariant(env: NodeJS.ProcessEnv, variant: EnvVariant): NodeJS.ProcessEnv {
  const out = { ...env };
  if (variant === 'noExtraCa') delete out.NODE_EXTRA_CA_CERTS;
  return out;
}

interface Samples {
  readonly medianMs: number;
  /** The least disturbed run: this machine is shared, and load comes and goes. */
  readonly minMs: number;
  readonly samplesMs: number[];
}
const samples = (values: readonly number[]): Samples => ({
  medianMs: r1(median(values)),
  minMs: r1(Math.min(...values)),
  samplesMs: values.map(r1),
});

interface SizeResult {
  readonly panes: number;
  readonly fixtureBuildMs: number;
  readonly save: Record<EnvVariant, Record<Contents, Samples & { cliTimingsMs: Record<string, number> }>>;
  readonly saveFloor: { listPanes: Samples; layoutCall: Samples; nodeStart: Record<EnvVariant, Samples> };
  readonly savePhases: Record<Contents, Record<string, number>>;
  readonly restore: Record<EnvVariant, Samples>;
  readonly restoreFloor: Samples & { commands: number };
  /** Median over rounds of restore ÷ floor measured back to back (robust to load drifting between rounds). */
  readonly restorePairedRatio: number;
  /** One in-process restoreSessions: ms spent before each phase began, and in total. */
  readonly restoreInProcess: Record<string, number>;
  /** Panes of the restored checkpoint that carry a contents blob (should be all). */
  readonly panesWithContents: number;
  readonly killWaitMs: number;
  /** 1-minute load average at the start and end of this size (a shared machine). */
  readonly loadAvg: { start: number; end: number };
}

async function benchSize(shape: FixtureShape, log: (line: string) => void): Promise<SizeResult> {
  const loadStart = load1();
  const expected = shape.sessions * shape.windows * shape.panes;
  const server = createBenchServer();
  const floorServer = createBenchServer();
  const cli = join(repoRoot(), 'dist', 'tsession.cjs');
  const home = server.home;

  // 1. The fixture, once.
  const tBuild = performance.now();
  await buildFixture({ tmuxArgs: server.tmuxArgs, env: server.env }, shape, join(home, 'fixture'));
  const fixtureBuildMs = performance.now() - tBuild;
  log(`${expected}-pane fixture built in ${ms(fixtureBuildMs)} (load ${loadStart})`);

  // Per contents setting: its own config dir (lines 0 / default) and state dir.
  const dirs = {} as Record<Contents, { config: string; state: string }>;
  for (const c of CONTENTS) {
    const config = join(home, `config-${c}`);
    mkdirSync(join(config, 'tsession'), { recursive: true });
    if (c === 'none') writeFileSync(join(config, 'tsession', 'config.json'), JSON.stringify({ contents: { lines: 0 } }));
    dirs[c] = { config, state: join(home, `state-${c}`) };
  }
  const cliEnv = (variant: EnvVariant, c: Contents): NodeJS.ProcessEnv =>
    withVariant(
      { ...server.env, XDG_CONFIG_HOME: dirs[c].config, TSESSION_STATE_DIR: dirs[c].state, XDG_RUNTIME_DIR: join(home, 'run') },
      variant,
    );
  const cliArgs = (...rest: string[]) => [cli, '-L', server.name, '-f', '/dev/null', ...rest];

  // 2. Whole-process save, interleaved with its floors.
  const saveSamples = {} as Record<EnvVariant, Record<Contents, number[]>>;
  const cliTimings = {} as Record<EnvVariant, Record<Contents, Record<string, number[]>>>;
  for (const v of ENV_VARIANTS) {
    saveSamples[v] = { none: [], full: [] };
    cliTimings[v] = { none: {}, full: {} };
  }
  const listPanes: number[] = [];
  const layoutCall: number[] = [];
  const nodeStart: Record<EnvVariant, number[]> = { asIs: [], noExtraCa: [] };
  for (let round = 0; round < SAVE_RESTORE_BENCH.saveWarmup + SAVE_RESTORE_BENCH.saveRuns; round++) {
    const keep = round >= SAVE_RESTORE_BENCH.saveWarmup;
    for (const v of ENV_VARIANTS) {
      for (const c of CONTENTS) {
        const r = timedSpawn(process.execPath, cliArgs('save', '--json', '--timings'), cliEnv(v, c));
        if (r.status !== 0) throw new Error(`Expected tsession save to exit 0, got ${r.status}: ${r.stderr.trim()}`);
        const out = JSON.parse(r.stdout) as { saved: boolean; panes: number; timings: Record<string, number> };
        if (!out.saved || out.panes !== expected) throw new Error(`Expected a save of ${expected} panes, got ${r.stdout.trim()}`);
        if (!keep) continue;
        saveSamples[v][c].push(r.ms);
        for (const [k, val] of Object.entries(out.timings)) (cliTimings[v][c][k] ??= []).push(val);
      }
      const n = timedSpawn(process.execPath, ['-e', '0'], withVariant(server.env, v));
      if (keep) nodeStart[v].push(n.ms);
    }
    const lp = timedSpawn('tmux', [...server.tmuxArgs, 'list-panes', '-a', '-F', ONE_CALL_FORMAT], server.env);
    if (lp.status !== 0 || lp.stdout.split('\n').filter(Boolean).length !== expected) {
      throw new Error(`Expected list-panes to list ${expected} panes, got status ${lp.status}`);
    }
    if (keep) listPanes.push(lp.ms);
    // For reference: tsession's own layout call (three lists, one process).
    const lc = timedSpawn('tmux', [...server.tmuxArgs, ...batchArgv(LAYOUT_COMMANDS)], server.env);
    if (lc.status !== 0 || lc.stdout.split('\n').filter((l) => l.startsWith('P ')).length !== expected) {
      throw new Error(`Expected the layout call to list ${expected} panes, got status ${lc.status}`);
    }
    if (keep) layoutCall.push(lc.ms);
  }
  const save = {} as SizeResult['save'];
  for (const v of ENV_VARIANTS) {
    save[v] = {} as SizeResult['save'][EnvVariant];
    for (const c of CONTENTS) {
      const timings: Record<string, number> = {};
      for (const [k, vals] of Object.entries(cliTimings[v][c])) timings[k] = r1(median(vals));
      save[v][c] = { ...samples(saveSamples[v][c]), cliTimingsMs: timings };
    }
  }
  const saveFloor = {
    listPanes: samples(listPanes),
    layoutCall: samples(layoutCall),
    nodeStart: { asIs: samples(nodeStart.asIs), noExtraCa: samples(nodeStart.noExtraCa) },
  };
  log(`save: ${ms(save.noExtraCa.none.medianMs)} without contents, ${ms(save.noExtraCa.full.medianMs)} with (no NODE_EXTRA_CA_CERTS)`);

  // 3. In-process save phases.
  const spec: ServerSpec = resolveServer({ socketName: server.name, configFile: '/dev/null' }, server.env, process.getuid?.() ?? 0);
  const savePhases = {} as Record<Contents, Record<string, number>>;
  for (const c of CONTENTS) {
    const lines = c === 'none' ? 0 : SAVE_RESTORE_BENCH.contentsLines;
    const stateDir = join(home, `inproc-${c}`);
    const store = createCheckpointStore({ dir: join(stateDir, 'store'), stateDir, homeDir: home, identity: PROC_IDENTITY });
    const acc: Record<string, number[]> = {};
    const put = (k: string, v: number) => (acc[k] ??= []).push(v);
    for (let i = 0; i < 1 + SAVE_RESTORE_BENCH.phaseRuns; i++) {
      const tAll = performance.now();
      const snap = await takeSnapshot(spec, { contentsLines: lines, env: server.env });
      let t = performance.now();
      const refs = new Map<string, ContentsRef>();
      const captured = [...snap.contents];
      const stored = await store.putBlobs(captured.map(([, blob]) => blob));
      if (!stored.ok) throw new Error(stored.error.message);
      captured.forEach(([paneId, blob], i) =>
        refs.set(paneId, { blob: stored.value[i]!.sha256, lines: lineCount(blob.normal), alternateScreen: blob.alternate !== null }),
      );
      const blobsMs = performance.now() - t;
      const sessions: SessionRecord[] = snap.sessions.map((s) => ({
        ...s,
        windows: s.windows.map((w) => ({ ...w, panes: w.panes.map((p) => ({ ...p, contents: refs.get(p.id) ?? null })) })),
      }));
      const draft = {
        host: hostname(),
        tmuxVersion: snap.live.version,
        tsessionVersion: '0.1.0',
        server: { socketPath: spec.socketPath, label: spec.label },
        sessions,
      };
      t = performance.now();
      const w = await store.write(draft);
      const writeMs = performance.now() - t;
      if (!w.ok || w.value.kind !== 'written') throw new Error(`Expected the checkpoint to be written, got ${JSON.stringify(w)}`);
      t = performance.now();
      const pr = await store.prune(DEFAULT_RETENTION);
      if (!pr.ok) throw new Error(pr.error.message);
      const pruneMs = performance.now() - t;
      const totalMs = performance.now() - tAll;
      // The seal (canonical JSON + SHA-256) of write(), probed apart on the
      // same body (outside the totals; warm after the first run).
      const body = { ...draft, id: 'probe', createdAt: new Date().toISOString() } as CheckpointBody;
      t = performance.now();
      sealCheckpoint(body);
      const sealMs = performance.now() - t;
      if (i === 0) continue;
      put('layoutMs', snap.timings.layoutMs);
      put('procMs', snap.timings.procMs);
      put('contentsMs', snap.timings.contentsMs);
      put('blobsMs', blobsMs);
      put('writeMs', writeMs);
      put('writeSealProbeMs', sealMs);
      put('pruneMs', pruneMs);
      put('totalMs', totalMs);
      put('capturedPanes', snap.contents.size);
      put('checkpointBytes', w.value.bytes);
    }
    savePhases[c] = Object.fromEntries(Object.entries(acc).map(([k, v]) => [k, r1(median(v))]));
  }
  log(`save phases: ${JSON.stringify(savePhases)}`);

  // 4. Whole-process restore from the CLI's newest checkpoint (with contents).
  const cliStore = createCheckpointStore({ dir: serverDir(dirs.full.state, spec.socketPath), stateDir: dirs.full.state, homeDir: home, identity: PROC_IDENTITY });
  const newest = await cliStore.newestGood();
  if (!newest.ok || !newest.value.checkpoint) throw new Error(`Expected a good checkpoint from the CLI saves, got ${JSON.stringify(newest)}`);
  const body: CheckpointBody = newest.value.checkpoint.body;
  const panesWithContents = body.sessions.flatMap((s) => s.windows.flatMap((w) => w.panes)).filter((p) => p.contents).length;
  const conf = floorConfig(body);
  const confFile = join(floorServer.home, 'layout.conf');
  writeFileSync(confFile, conf);

  const killWait: number[] = [];
  const quiesce = async () => {
    for (const s of [server, floorServer]) killWait.push(await killAndWait(s));
  };
  const check = (s: BenchServer, what: string) => {
    const n = paneCount(s);
    if (n.panes !== expected || n.sessions !== shape.sessions) {
      throw new Error(`Expected ${what} to build ${shape.sessions} sessions / ${expected} panes, got ${n.sessions} / ${n.panes}`);
    }
  };
  // Warm-up: a dry run per variant loads every module of the restore path
  // (all sessions are running, so it plans nothing and changes nothing).
  for (const v of ENV_VARIANTS) {
    const r = timedSpawn(process.execPath, cliArgs('restore', '--dry-run', '--json'), cliEnv(v, 'full'));
    if (r.status !== 0) throw new Error(`Expected tsession restore --dry-run to exit 0, got ${r.status}: ${r.stderr.trim()}`);
  }
  const restoreOnce = async (v: EnvVariant): Promise<number> => {
    await quiesce();
    const r = timedSpawn(process.execPath, cliArgs('restore', '--json'), cliEnv(v, 'full'));
    if (r.status !== 0) throw new Error(`Expected tsession restore to exit 0, got ${r.status}: ${r.stderr.trim()}`);
    const out = JSON.parse(r.stdout) as { restored: { panes: number }[] };
    const restoredPanes = out.restored.reduce((n, x) => n + x.panes, 0);
    if (restoredPanes !== expected) throw new Error(`Expected restore to report ${expected} panes, got ${restoredPanes}`);
    check(server, 'tsession restore');
    await waitGatesOpen(server);
    return r.ms;
  };
  const restoreSamples: Record<EnvVariant, number[]> = { asIs: [], noExtraCa: [] };
  const floorSamples: number[] = [];
  for (let round = 0; round < SAVE_RESTORE_BENCH.restoreRuns; round++) {
    restoreSamples.noExtraCa.push(await restoreOnce('noExtraCa'));
    await quiesce();
    const f = timedSpawn('tmux', [...floorServer.tmuxArgs, 'start-server', ';', 'source-file', confFile], floorServer.env);
    if (f.status !== 0) throw new Error(`Expected the source-file floor to exit 0, got ${f.status}: ${f.stderr.trim()}`);
    check(floorServer, 'the source-file floor');
    floorSamples.push(f.ms);
    if (round < SAVE_RESTORE_BENCH.restoreRunsAsIs) restoreSamples.asIs.push(await restoreOnce('asIs'));
    log(`restore round ${round + 1}: ${ms(restoreSamples.noExtraCa.at(-1)!)} vs floor ${ms(f.ms)} (load ${load1()})`);
  }

  // One in-process restore (same checkpoint and store), timed per phase.
  await quiesce();
  const phaseAt: Record<string, number> = {};
  const t0 = performance.now();
  const res = await restoreSessions({
    server: spec,
    checkpoint: body,
    sessions: [],
    replace: false,
    noCommands: false,
    dryRun: false,
    rules: DEFAULT_CONFIG.rerun.allowlist,
    readBlob: async (sha) => {
      const b = await cliStore.getBlob(sha);
      return b.ok ? b.value : null;
    },
    env: cliEnv('noExtraCa', 'full'),
    onProgress: (p: RestoreProgress) => {
      if (p.phase !== 'done') phaseAt[`${p.phase}StartMs`] ??= r1(performance.now() - t0);
    },
  });
  const restoreInProcess = { ...phaseAt, totalMs: r1(performance.now() - t0), typed: res.typed.length };
  if (res.restored.reduce((n, x) => n + x.panes, 0) !== expected) throw new Error('Expected the in-process restore to restore every pane');
  check(server, 'the in-process restore');
  await waitGatesOpen(server);

  // Wait for the shells to go before removing their HOME (bash writes its
  // history there on SIGHUP).
  await quiesce();
  server.dispose();
  floorServer.dispose();
  return {
    panes: expected,
    fixtureBuildMs: r1(fixtureBuildMs),
    save,
    saveFloor,
    savePhases,
    restore: { asIs: samples(restoreSamples.asIs), noExtraCa: samples(restoreSamples.noExtraCa) },
    restoreFloor: { ...samples(floorSamples), commands: conf.split('\n').filter(Boolean).length },
    restorePairedRatio: Math.round(median(floorSamples.map((f, i) => restoreSamples.noExtraCa[i]! / f)) * 100) / 100,
    restoreInProcess,
    panesWithContents,
    killWaitMs: r1(median(killWait)),
    loadAvg: { start: loadStart, end: load1() },
  };
}

function summarize(r: SizeResult): string[] {
  const lines: string[] = [];
  const n = r.panes;
  const fl = r.saveFloor;
  const lp = fl.listPanes.medianMs;
  const node0 = fl.nodeStart.noExtraCa.medianMs;
  for (const c of CONTENTS) {
    const a = r.save.asIs[c].medianMs;
    const b = r.save.noExtraCa[c].medianMs;
    lines.push(
      `${n}-pane save ${c === 'none' ? 'without contents' : 'with contents   '}: ${ms(a)} as is, ${ms(b)} without NODE_EXTRA_CA_CERTS` +
        ` | floor: list-panes ${lp} ms (${ratio(b, lp)}), list-panes + node -e 0 ${ms(lp + node0)} (${ratio(b, lp + node0)}); fastest run ${ms(r.save.noExtraCa[c].minMs)}`,
    );
  }
  lines.push(
    `${n}-pane node -e 0: ${fl.nodeStart.asIs.medianMs} ms as is, ${node0} ms without NODE_EXTRA_CA_CERTS; tsession's layout call (list-sessions, list-windows -a, list-panes -a in one tmux): ${fl.layoutCall.medianMs} ms`,
  );
  for (const c of CONTENTS) {
    const p = r.savePhases[c]!;
    lines.push(
      `${n}-pane save phases in-process (${c === 'none' ? 'no contents' : `contents, ${p.capturedPanes}/${n} panes captured`}): layout ${p.layoutMs} ms, /proc ${p.procMs} ms, contents ${p.contentsMs} ms, blobs ${p.blobsMs} ms, write ${p.writeMs} ms (seal ${p.writeSealProbeMs}), prune ${p.pruneMs} ms; total ${p.totalMs} ms, ${Math.round((p.checkpointBytes ?? 0) / 1024)} KB`,
    );
  }
  const f = r.restoreFloor.medianMs;
  const ip = r.restoreInProcess;
  lines.push(
    `${n}-pane restore: ${ms(r.restore.noExtraCa.medianMs)} without NODE_EXTRA_CA_CERTS (${ratio(r.restore.noExtraCa.medianMs, f)}, ${r.restore.noExtraCa.samplesMs.length} runs), ${ms(r.restore.asIs.medianMs)} as is (${ratio(r.restore.asIs.medianMs, f)}, ${r.restore.asIs.samplesMs.length} runs)` +
      ` | floor: source-file ${ms(f)} (${r.restoreFloor.commands} commands, ${r.restoreFloor.samplesMs.length} runs); paired ratio ×${r.restorePairedRatio.toFixed(2)}; fastest ${ms(r.restore.noExtraCa.minMs)} vs ${ms(r.restoreFloor.minMs)}`,
  );
  lines.push(
    `${n}-pane restore in-process: ${ms(ip.totalMs ?? 0)} — plan at ${ip.planStartMs} ms, build ${ip.buildStartMs}→${ip.verifyStartMs}, verify→${ip.finalizeStartMs}, finalize→${ip.commandsStartMs ?? ip.totalMs}, wait for shells + ${ip.typed} commands→${ip.totalMs}; load ${r.loadAvg.start}→${r.loadAvg.end}`,
  );
  if (r.panesWithContents < n) {
    lines.push(`${n}-pane WARNING: the saved checkpoint holds contents for only ${r.panesWithContents} of ${n} panes; contents numbers undercount the real work`);
  }
  return lines;
}

function targetLines(r: SizeResult): { lines: string[]; verdicts: Record<string, unknown> } {
  const t = SAVE_RESTORE_BENCH.targets;
  const caDelta = r.saveFloor.nodeStart.asIs.medianMs - r.saveFloor.nodeStart.noExtraCa.medianMs;
  const checks = [
    { name: 'save400NoContents', label: '400-pane save without contents', value: (v: EnvVariant) => r.save[v].none.medianMs, max: t.saveNoContentsMs, unit: 'ms' },
    { name: 'save400Contents', label: '400-pane save with contents', value: (v: EnvVariant) => r.save[v].full.medianMs, max: t.saveContentsMs, unit: 'ms' },
    { name: 'restore400', label: '400-pane restore', value: (v: EnvVariant) => r.restore[v].medianMs, max: t.restoreMs, unit: 'ms' },
    {
      name: 'restore400FloorRatio',
      label: '400-pane restore ÷ source-file floor',
      value: (v: EnvVariant) => Math.round((r.restore[v].medianMs / r.restoreFloor.medianMs) * 100) / 100,
      max: t.restoreFloorRatio,
      unit: '×',
    },
  ];
  const lines = [
    `Targets are judged without NODE_EXTRA_CA_CERTS: this machine's environment makes every node process parse the CA bundle ${process.env.NODE_EXTRA_CA_CERTS ?? '(unset here)'} at start-up (+${Math.round(caDelta)} ms on node -e 0), a cost of this machine, not of tsession; the as-is verdict follows each.`,
  ];
  const verdicts: Record<string, unknown> = {};
  for (const c of checks) {
    const judged = c.value('noExtraCa');
    const asIs = c.value('asIs');
    const fmt = (x: number) => (c.unit === 'ms' ? ms(x) : `×${x.toFixed(2)}`);
    lines.push(
      `target ${c.label} ≤ ${c.unit === 'ms' ? `${c.max} ms` : `×${c.max}`}: ${fmt(judged)} ${verdict(judged <= c.max)} (as is: ${fmt(asIs)} ${verdict(asIs <= c.max)})`,
    );
    verdicts[c.name] = { target: c.max, judgedWithoutExtraCa: judged, ok: judged <= c.max, asIs, okAsIs: asIs <= c.max };
  }
  lines.push(
    `note: the source-file floor itself takes ${ms(r.restoreFloor.medianMs)} for 400 panes here (load ${r.loadAvg.start}→${r.loadAvg.end} on 2 cores), so the absolute restore target depends on tmux's per-pane cost on this machine; the ratio is what tsession controls.`,
  );
  return { lines, verdicts };
}

/** The `save` section of `npm run bench`. */
export async function bench(): Promise<BenchSection> {
  const started = performance.now();
  const log = (line: string) => process.stderr.write(`[save] ${line}\n`);
  const results: Record<string, unknown> = {
    runs: {
      save: SAVE_RESTORE_BENCH.saveRuns,
      saveWarmup: SAVE_RESTORE_BENCH.saveWarmup,
      restore: SAVE_RESTORE_BENCH.restoreRuns,
      restoreAsIs: SAVE_RESTORE_BENCH.restoreRunsAsIs,
      savePhases: SAVE_RESTORE_BENCH.phaseRuns,
    },
    nodeExtraCaCerts: process.env.NODE_EXTRA_CA_CERTS ?? null,
    notes: [
      'save: whole process `node dist/tsession.cjs -L <name> -f /dev/null save --json`; contents none = config {"contents":{"lines":0}}, full = default 2000 lines',
      'saveFloor: one `tmux list-panes -a -F` process asking for every field the layout read uses (LAYOUT_FIELDS) on each pane row; node -e 0 start-up. tsession asks with list-sessions, list-windows -a and list-panes -a in one tmux process, which costs tmux less than this floor',
      'restore: whole process `… restore --json` onto a killed server (its panes’ processes gone), from the newest with-contents checkpoint (contents shown in every pane); includes waiting for the shells of panes that re-run allowlisted `tail -f` (their gates open during the build); the other panes\u2019 gates get their Enter from tmux 0.1 s after the process returns, as source-file also returns with shells still starting',
      'restoreFloor: one `tmux -L <fresh> -f /dev/null start-server ; source-file layout.conf` (new-session/new-window/split-window -c, select-layout) on a killed server',
      'restoreInProcess: one restoreSessions call; *StartMs = ms from the start when each phase began',
    ],
  };
  const summary: string[] = [];
  try {
    // TSESSION_BENCH_SIZES=p120 runs only the small fixture (a quick look while
    // developing; the targets are judged on p400).
    const only = process.env.TSESSION_BENCH_SIZES?.split(',');
    for (const { key, shape } of SIZES.filter((x) => !only || only.includes(x.key))) {
      const r = await benchSize(shape, log);
      results[key] = r;
      summary.push(...summarize(r));
      if (key === 'p400') {
        const t = targetLines(r);
        summary.push(...t.lines);
        results.targets = t.verdicts;
      }
    }
  } finally {
    disposeAllServers();
  }
  results.sectionMs = Math.round(performance.now() - started);
  summary.push(`section took ${Math.round((performance.now() - started) / 1000)} s`);
  return { name: 'save', results, summary };
}
