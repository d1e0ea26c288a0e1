/**
 * `node dist/bench/run.js preview`: what the interface's live preview of a
 * PTY session costs, through a real host in a private HOME/XDG world, for
 * a screen full of colours. The peer is the plain-text preview it replaced
 * (`peek` as text, one request), measured in the same run; the replay of
 * the serialized screen into cells is also timed alone. A preview is read
 * every 500 ms while a PTY session is selected: its CPU (this process's,
 * from process.cpuUsage, plus the host's, from /proc) per read ÷ 500 ms is
 * the share of one core it takes.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readHolder } from '../checkpoints/lock.js';
import { ptyHostLockFile, ptyKeeperLockFile, resolvePaths } from '../checkpoints/paths.js';
import type { PtyHostAccess } from '../src/ops/pty-client.js';
import { peekPtySession, previewPtySession } from '../src/ops/pty-sessions.js';
import { TUI_DEFAULTS } from '../src/tui/controller.js';
import { screenCells } from '../src/tui/screen-cells.js';
import { median, repoRoot, sample, type BenchSection } from './harness.js';

/** Named settings of this section. */
export const PREVIEW_BENCH = { runs: 60, warmup: 5 } as const;

const CLI = join(repoRoot(), 'dist', 'tsession.cjs');

/** CPU time of process `pid` so far, in ms (utime + stime from /proc; clock ticks of 10 ms). */
function procCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Wall-clock samples of `fn`, and the CPU per call of this process and of the host. */
async function measure(fn: () => Promise<unknown>, hostPid: number): Promise<{ wall: number[]; cpuMs: number; hostCpuMs: number }> {
  for (let i = 0; i < PREVIEW_BENCH.warmup; i++) await fn();
  const cpu0 = process.cpuUsage();
  const host0 = procCpuMs(hostPid);
  const wall = await sample(fn, PREVIEW_BENCH.runs, 0);
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpuMs: (cpu.user + cpu.system) / 1000 / PREVIEW_BENCH.runs, hostCpuMs: (procCpuMs(hostPid) - host0) / PREVIEW_BENCH.runs };
}

/** 24 rows of 16-colour, 256-colour and 24-bit text with backgrounds and attributes, then cat (the screen stays). */
const PAINT = [
  'for i in $(seq 1 40); do',
  '  printf "\\033[3%dm%03d \\033[1;4%dm bold on colour \\033[0m \\033[38;5;%dm256:%d\\033[0m \\033[38;2;%d;%d;200mrgb\\033[0m \\033[7minverse\\033[0m tail of the line\\n" $((i%8)) $i $(((i+1)%8)) $((i*6)) $((i*6)) $((i*5)) $((255-i*5));',
  'done; exec cat',
].join(' ');

export async function bench(): Promise<BenchSection> {
  const home = mkdtempSync(join(tmpdir(), 'tsession-bench-preview-'));
  mkdirSync(join(home, 'run'), { mode: 0o700 });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_RUNTIME_DIR: join(home, 'run'),
    SHELL: '/bin/sh',
    LANG: 'C.UTF-8',
  };
  const paths = resolvePaths({ env, uid: process.getuid?.() ?? 0, cwd: home });
  const access: PtyHostAccess = { runtimeDir: paths.runtimeDir, stateDir: paths.stateDir, selfCommand: [process.execPath, CLI], env };
  try {
    const made = spawnSync(process.execPath, [CLI, 'new', '-d', 'paint', '--', 'sh', '-c', PAINT], { env, encoding: 'utf8', cwd: home });
    if (made.status !== 0) throw new Error(`tsession new failed: ${made.stderr}`);
    // The screen is drawn once its last row is there.
    for (let i = 0; i < 200 && !(await peekPtySession(access, 'paint', false)).includes('040 '); i++) await new Promise((r) => setTimeout(r, 25));
    const screen = await previewPtySession(access, 'paint');
    const hostPid = (await readHolder(ptyHostLockFile(paths.runtimeDir)))?.pid;
    if (!hostPid) throw new Error('Expected a running PTY host');
    const plainRead = await measure(() => peekPtySession(access, 'paint', false), hostPid);
    const colourRead = await measure(async () => {
      const s = await previewPtySession(access, 'paint');
      return screenCells(s.ansi, s.cols, s.rows);
    }, hostPid);
    const replay = await measure(() => screenCells(screen.ansi, screen.cols, screen.rows), hostPid);
    const r2 = (x: number) => Math.round(x * 100) / 100;
    const [plain, preview, replayMs] = [median(plainRead.wall), median(colourRead.wall), median(replay.wall)];
    const cpuPerRead = colourRead.cpuMs + colourRead.hostCpuMs;
    const share = cpuPerRead / TUI_DEFAULTS.livePreviewMs;
    return {
      name: 'preview',
      results: {
        screen: { cols: screen.cols, rows: screen.rows, serializedBytes: screen.ansi.length },
        plainPeek: { medianMs: r2(plain), cpuMs: r2(plainRead.cpuMs), hostCpuMs: r2(plainRead.hostCpuMs) },
        colourPreview: { medianMs: r2(preview), cpuMs: r2(colourRead.cpuMs), hostCpuMs: r2(colourRead.hostCpuMs) },
        replayIntoCells: { medianMs: r2(replayMs), cpuMs: r2(replay.cpuMs) },
        ratioToPlain: r2(preview / plain),
        coreShareWhileSelected: r2(share),
      },
      summary: [
        `${screen.cols}×${screen.rows} screen in colour (${screen.ansi.length} bytes serialized), ${PREVIEW_BENCH.runs} reads; medians, CPU per read (host's in 10 ms ticks)`,
        `colour preview (list + peek --ansi + replay into cells): ${r2(preview)} ms, CPU ${r2(colourRead.cpuMs)} ms here + ${r2(colourRead.hostCpuMs)} ms host`,
        `plain-text peek it replaced: ${r2(plain)} ms, CPU ${r2(plainRead.cpuMs)} ms here + ${r2(plainRead.hostCpuMs)} ms host (colour ×${r2(preview / plain)} wall)`,
        `replay alone: ${r2(replayMs)} ms, CPU ${r2(replay.cpuMs)} ms`,
        `read every ${TUI_DEFAULTS.livePreviewMs} ms while selected: ${r2(share * 100)} % of one core`,
      ],
    };
  } finally {
    for (const file of [ptyHostLockFile(paths.runtimeDir), ptyKeeperLockFile(paths.runtimeDir)]) {
      const pid = (await readHolder(file))?.pid;
      try {
        if (pid) process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(home, { recursive: true, force: true });
  }
}
