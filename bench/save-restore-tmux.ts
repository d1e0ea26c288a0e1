/**
 * Isolated tmux servers and process plumbing for the save/restore benchmark:
 * every server is `tmux -L tsession-bench-<pid>-<n> -f /dev/null` with a
 * private HOME (empty rc files), killed at the end even on error; helpers to
 * wait until a killed server's pane processes are gone, and the
 * `source-file` floor config that builds a checkpoint's layout.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckpointBody } from '../checkpoints/schema.js';

let counter = 0;
const live = new Set<BenchServer>();

/** One isolated server name plus the private HOME its shells and tsession use. */
export interface BenchServer {
  readonly name: string;
  /** ['-L', name, '-f', '/dev/null'] */
  readonly tmuxArgs: readonly string[];
  readonly home: string;
  /** tmux/shell environment: no $TMUX, private HOME and XDG dirs. */
  readonly env: NodeJS.ProcessEnv;
  tmux(...args: string[]): string;
  tmuxTry(...args: string[]): { status: number | null; stdout: string; stderr: string };
  /** kill-server (idempotent); keeps HOME. */
  killServer(): void;
  /** kill-server and remove HOME. */
  dispose(): void;
}

/** A private HOME with empty rc files: the machine's own rc files can hang bash. */
function isolatedHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'tsession-bench-home-'));
  for (const rc of ['.bashrc', '.bash_profile', '.profile', '.zshrc']) writeFileSync(join(home, rc), '');
  mkdirSync(join(home, 'run'), { recursive: true, mode: 0o700 });
  return home;
}

/** Create an isolated server (started by its first command). */
export function createBenchServer(): BenchServer {
  const name = `tsession-bench-${process.pid}-${counter++}`;
  const tmuxArgs = ['-L', name, '-f', '/dev/null'] as const;
  const home = isolatedHome();
  const socketPath = join(`${(process.env.TMUX_TMPDIR || '/tmp').replace(/\/+$/, '')}/tmux-${process.getuid?.() ?? 0}`, name);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    ZDOTDIR: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_RUNTIME_DIR: join(home, 'run'),
    SHELL: '/bin/bash',
    PS1: '$ ',
  };
  delete env.TMUX;
  delete env.TMUX_PANE;
  const tmuxTry = (...args: string[]) => {
    const r = spawnSync('tmux', [...tmuxArgs, ...args], { env, encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
  const server: BenchServer = {
    name,
    tmuxArgs,
    home,
    env,
    tmuxTry,
    tmux: (...args) => {
      const r = tmuxTry(...args);
      if (r.status !== 0) throw new Error(`tmux ${args[0]} on ${name} failed (${r.status}): ${r.stderr.trim()}`);
      return r.stdout;
    },
    killServer: () => void tmuxTry('kill-server'),
    dispose: () => {
      live.delete(server);
      tmuxTry('kill-server');
      if (!removeLeftovers(home, socketPath, tmuxTry)) leftovers.push({ home, socketPath, tmuxTry });
    },
  };
  live.add(server);
  return server;
}

type TmuxTry = BenchServer['tmuxTry'];
/** HOMEs and sockets a dispose could not remove yet (a dying shell was still writing). */
const leftovers: { home: string; socketPath: string; tmuxTry: TmuxTry }[] = [];

/** Remove a server's HOME and stale socket; true when both are gone. Never throws. */
function removeLeftovers(home: string, socketPath: string, tmuxTry: TmuxTry): boolean {
  try {
    rmSync(home, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
  } catch {
    // retried by disposeAllServers
  }
  try {
    // tmux 3.3a can leave its socket file behind after kill-server.
    if (tmuxTry('has-session').status !== 0) rmSync(socketPath, { force: true });
  } catch {
    // retried by disposeAllServers
  }
  return !existsSync(home) && !existsSync(socketPath);
}

/** Kill every server this module created that is still around, and retry leftovers (finally / exit). */
export function disposeAllServers(): void {
  for (const s of [...live]) {
    try {
      s.dispose();
    } catch {
      // best effort
    }
  }
  for (const l of leftovers.splice(0)) {
    l.tmuxTry('kill-server');
    removeLeftovers(l.home, l.socketPath, l.tmuxTry);
  }
}
process.on('exit', disposeAllServers);

/** Pids tmux reports for a running server: the server and each pane's process. */
export function serverPids(server: BenchServer): { serverPid: number; panePids: number[] } {
  const r = server.tmuxTry('list-panes', '-a', '-F', '#{pid} #{pane_pid}');
  if (r.status !== 0) return { serverPid: 0, panePids: [] };
  let serverPid = 0;
  const panePids: number[] = [];
  for (const line of r.stdout.split('\n')) {
    const [s, p] = line.split(' ');
    if (!s || !p) continue;
    serverPid = Number(s);
    panePids.push(Number(p));
  }
  return { serverPid, panePids };
}

/** Live (non-zombie) processes whose session id is one of `sids`, plus `extra` pids still alive. */
function survivors(sids: ReadonlySet<number>, extra: readonly number[]): number {
  let n = 0;
  for (const pid of extra) {
    if (pid > 0 && aliveState(pid)) n++;
  }
  if (sids.size === 0) return n;
  for (const ent of readdirSync('/proc')) {
    if (ent.charCodeAt(0) < 48 || ent.charCodeAt(0) > 57) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${ent}/stat`, 'latin1');
    } catch {
      continue;
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // f[0] state, f[1] ppid, f[2] pgrp, f[3] session
    if (f[0] !== 'Z' && f[0] !== 'X' && sids.has(Number(f[3]))) n++;
  }
  return n;
}

function aliveState(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/**
 * kill-server, then poll until the server process and every process of its
 * panes' sessions (shells, `tail -f`) are gone, so timed runs never overlap
 * with a dying server. Returns how long the wait took.
 */
export async function killAndWait(server: BenchServer, timeoutMs = 20_000): Promise<number> {
  const t0 = performance.now();
  const { serverPid, panePids } = serverPids(server);
  server.killServer();
  const sids = new Set(panePids);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = survivors(sids, [serverPid]);
    if (left === 0) break;
    if (Date.now() > deadline) throw new Error(`Expected server ${server.name} and its panes to exit within ${timeoutMs} ms, ${left} process(es) remain`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return performance.now() - t0;
}

/** Count of panes and sessions on a server (0/0 when none runs). */
export function paneCount(server: BenchServer): { panes: number; sessions: number } {
  const r = server.tmuxTry('list-panes', '-a', '-F', '#{session_name}');
  if (r.status !== 0) return { panes: 0, sessions: 0 };
  const lines = r.stdout.split('\n').filter(Boolean);
  return { panes: lines.length, sessions: new Set(lines).size };
}

/**
 * Wait (untimed) until no pane still runs a restore gate (`sh` waiting for
 * its Enter): a restore whose shells never start must not count as fast.
 * Throws after `timeoutMs`.
 */
export async function waitGatesOpen(server: BenchServer, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = server.tmuxTry('list-panes', '-a', '-F', '#{pane_current_command}');
    const gated = r.stdout.split('\n').filter((c) => c === 'sh').length;
    if (r.status === 0 && gated === 0) return;
    if (Date.now() > deadline) throw new Error(`Expected every restored pane to start its shell, ${gated} still wait at tsession-gate`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

/** Quote a value for a tmux config file (single quotes; ' written as '\''). */
function q(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * A tmux config that builds the checkpoint's layout the plain way:
 * new-session/new-window/split-window with the saved -c cwds and -x/-y
 * sizes, then select-layout with each saved layout string. Same pane
 * creation order as the restore plan (tiled before the 4th+ split), but no
 * titles, contents, renames or verification: the floor.
 */
export function floorConfig(body: CheckpointBody): string {
  const lines: string[] = [];
  for (const s of body.sessions) {
    const windows = [...s.windows].sort((a, b) => a.index - b.index);
    windows.forEach((w, wi) => {
      const target = q(`${s.name}:${w.index}`);
      const size = /^[0-9a-f]{4},(\d+)x(\d+)/.exec(w.layout);
      w.panes.forEach((p, i) => {
        const cwd = q(p.cwd.path);
        if (wi === 0 && i === 0) {
          lines.push(`new-session -d -s ${q(s.name)} -x ${size?.[1] ?? 160} -y ${size?.[2] ?? 48} -c ${cwd}`);
          if (w.index !== 0) lines.push(`move-window -s ${q(`${s.name}:0`)} -t ${target}`);
        } else if (i === 0) {
          lines.push(`new-window -d -t ${target} -c ${cwd}`);
        } else {
          if (i >= 3) lines.push(`select-layout -t ${target} tiled`);
          lines.push(`split-window -t ${target} -c ${cwd}`);
        }
      });
      lines.push(`select-layout -t ${target} ${q(w.layout)}`);
    });
  }
  return lines.join('\n') + '\n';
}

/** Time one process to exit (ms) and its result. */
export function timedSpawn(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 120_000,
): { ms: number; status: number | null; stdout: string; stderr: string } {
  const t0 = performance.now();
  const r = spawnSync(file, args, { env, encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = performance.now() - t0;
  return { ms, status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
