/**
 * The only module that runs tmux. Spawns it with argv (never a shell
 * string; built in argv.ts), batches many commands into one invocation,
 * bounds every call with a timeout and turns tmux's failures into typed
 * errors a person can act on (errors.ts).
 *
 * It spawns with node:child_process rather than execa: execa costs ~120 ms
 * to import on this machine, most of the 150 ms budget of `tsession save`
 * (README, "Design").
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams, type StdioOptions } from 'node:child_process';
import { ARGV_BUDGET, batchArgv, chunkCommands, scriptArg, serverArgv, tmuxEnv, type TmuxCommand } from './argv.js';
import { classifyFailure, TmuxError } from './errors.js';
import type { ServerSpec } from './server.js';

/** Named defaults for tmux calls. */
export const TMUX_DEFAULTS = {
  /** A healthy server answers in ~5 ms; under load 100–660 ms was seen (TMUX-FACTS.md). */
  queryTimeoutMs: 3_000,
  /** Oldest tmux whose argv batching, formats and flags we rely on. */
  minVersion: [3, 2] as const,
  /** Grace after SIGTERM before SIGKILL for a timed-out tmux client. */
  killGraceMs: 200,
  /** Bytes of argv one tmux client may send (see ARGV_BUDGET). */
  argvBudget: ARGV_BUDGET,
} as const;

/** Result of a tmux invocation: raw stdout bytes (names may hold any byte). */
export interface TmuxOutput {
  readonly stdout: Buffer;
  readonly stderr: string;
}

export interface RunOptions {
  readonly timeoutMs?: number;
  /** Environment for tmux (and any server it starts); default process.env minus $TMUX. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Result of a script run: output of every command, and whether any failed. */
export interface TmuxScriptOutput extends TmuxOutput {
  /** Some command failed (its message is in stderr); the others still ran. */
  readonly someFailed: boolean;
}

/** Run a batch of commands in one tmux invocation. Throws TmuxError. */
export async function runTmux(
  server: ServerSpec,
  commands: readonly TmuxCommand[],
  opts: RunOptions = {},
): Promise<TmuxOutput> {
  const r = await spawnTmux(server, batchArgv(commands), null, opts);
  if (r.code !== 0) throw classifyFailure(server, r.stderr);
  return { stdout: r.stdout, stderr: r.stderr };
}

/**
 * Run any number of commands in ONE tmux process: they go to
 * `source-file -` on stdin, so tmux's 16 KB argv message limit does not
 * split them (each extra client costs a fork of this process, ~20 ms here).
 * Unlike argv batches, a failing command does not stop the ones after it:
 * someFailed says that one did. Failing to reach the server throws TmuxError.
 */
export async function runTmuxScript(
  server: ServerSpec,
  commands: readonly TmuxCommand[],
  opts: RunOptions = {},
): Promise<TmuxScriptOutput> {
  const script = commands.map((c) => c.map(scriptArg).join(' ')).join('\n');
  const r = await spawnTmux(server, ['source-file', '-'], Buffer.from(`${script}\n`), opts);
  if (r.code === 0) return { stdout: r.stdout, stderr: r.stderr, someFailed: false };
  const failure = classifyFailure(server, r.stderr);
  if (failure.kind !== 'command-failed') throw failure;
  return { stdout: r.stdout, stderr: r.stderr, someFailed: true };
}

/** Spawn one tmux client; settles on exit, on a spawn error, or on the timeout. */
function spawnTmux(
  server: ServerSpec,
  args: readonly string[],
  stdin: Buffer | null,
  opts: RunOptions,
): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  const timeoutMs = opts.timeoutMs ?? TMUX_DEFAULTS.queryTimeoutMs;
  const argv = [...serverArgv(server), ...args];
  return new Promise((resolve, reject) => {
    const child = spawn('tmux', argv, {
      env: opts.env ?? tmuxEnv(),
      stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    // Settle on the timeout itself, not on 'close': the tmux client passes
    // its stdout to the server, so a stopped server keeps the pipe open and
    // 'close' would never come.
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), TMUX_DEFAULTS.killGraceMs).unref();
      child.stdout!.destroy();
      child.stderr!.destroy();
      child.stdin?.destroy();
      settle(() =>
        reject(
          new TmuxError(
            'timeout',
            `The tmux server ${server.label} (${server.socketPath}) did not answer within ${timeoutMs} ms; it may be frozen (try \`tsession unfreeze\`)`,
          ),
        ),
      );
    }, timeoutMs);
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    if (stdin && child.stdin) {
      // A client that exits early (no server) closes the pipe: not our error.
      child.stdin.on('error', () => {});
      child.stdin.end(stdin);
    }
    child.on('error', (e: NodeJS.ErrnoException) => {
      settle(() =>
        reject(
          e.code === 'ENOENT'
            ? new TmuxError('not-installed', 'tmux is not installed (not found on PATH); install tmux 3.2 or newer')
            : new TmuxError('command-failed', `Cannot run tmux: ${e.message}`),
        ),
      );
    });
    child.on('close', (code) => {
      settle(() => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
    });
  });
}

/**
 * Run any number of commands in as few tmux invocations as the message limit
 * allows, in order; stdout is concatenated. Stops at the first failing batch.
 */
export async function runTmuxBatched(
  server: ServerSpec,
  commands: readonly TmuxCommand[],
  opts: RunOptions = {},
): Promise<TmuxOutput> {
  const chunks = chunkCommands(commands);
  if (chunks.length === 1) return runTmux(server, chunks[0]!, opts);
  const out: Buffer[] = [];
  let stderr = '';
  for (const c of chunks) {
    const r = await runTmux(server, c, opts);
    out.push(r.stdout);
    stderr += r.stderr;
  }
  return { stdout: Buffer.concat(out), stderr };
}

/** Parse "3.3a" / "next-3.4" / "openbsd-7.2" into [major, minor], or null. */
export function parseTmuxVersion(text: string): [number, number] | null {
  const m = /(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

/** Throws 'too-old' unless `version` (a #{version} value) is at least 3.2. */
export function assertSupportedVersion(version: string): void {
  const v = parseTmuxVersion(version);
  const [maj, min] = TMUX_DEFAULTS.minVersion;
  if (!v || v[0] < maj || (v[0] === maj && v[1] < min)) {
    throw new TmuxError(
      'too-old',
      `Expected tmux ${maj}.${min} or newer, got ${version || 'an unknown version'}; upgrade tmux`,
    );
  }
}

/** `tmux -V` → "3.3a"; used where no server is running yet. */
export async function tmuxBinaryVersion(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('tmux', ['-V'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'ENOENT'
          ? new TmuxError('not-installed', 'tmux is not installed (not found on PATH); install tmux 3.2 or newer')
          : e,
      ),
    );
    child.on('close', () => resolve(out.trim().replace(/^tmux\s+/, '')));
  });
}

/**
 * Run tmux with the given stdio, synchronously: for `attach-session`, the
 * one tmux process that must own the terminal and so cannot use pipes.
 * `argv` already holds the server selection (see serverArgv).
 */
export function runTmuxOnTerminal(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  stdio: StdioOptions,
  timeoutMs?: number,
): { status: number | null; stderr: string; error: string | null } {
  const r = spawnSync('tmux', argv, { env, stdio, ...(timeoutMs !== undefined ? { timeout: timeoutMs } : {}) });
  return { status: r.status, stderr: r.stderr ? r.stderr.toString() : '', error: r.error ? r.error.message : null };
}

/**
 * A control-mode client on plain pipes (`tmux -C attach-session`), for the
 * watch daemon's event feed: `no-output` keeps every notification and drops
 * pane output (unless output is asked for, with `pause-after` so a client
 * that falls behind cannot make tmux buffer without limit), `ignore-size`
 * keeps it from resizing windows. `read-only` stops key bindings, not
 * commands a control client writes on its stdin (tmux 3.3a control.c), so
 * the only lines ever written there are event-feed.ts's `refresh-client -A`
 * for a pane id tmux itself sent and that was checked, and its
 * `refresh-client -B` subscriptions to formats fixed in the code. The caller owns the child: it must read
 * stdout until EOF and end stdin to detach (TMUX-FACTS.md, "Hazard").
 */
export function spawnControlClient(
  server: ServerSpec,
  sessionId: string,
  env: NodeJS.ProcessEnv = process.env,
  /** Receive pane output; tmux pauses a pane whose output waited this many seconds (flow control). */
  output?: { readonly pauseAfterS: number },
): ChildProcessWithoutNullStreams {
  const flags = output ? `ignore-size,read-only,pause-after=${Math.max(1, Math.round(output.pauseAfterS))}` : 'no-output,ignore-size,read-only';
  const argv = [...serverArgv(server), '-N', '-C', 'attach-session', '-f', flags, '-t', sessionId];
  const wrapper = parentDeathWrapper();
  return wrapper
    ? spawn(wrapper[0], [...wrapper.slice(1), 'tmux', ...argv], { env: tmuxEnv(env), stdio: 'pipe' })
    : spawn('tmux', argv, { env: tmuxEnv(env), stdio: 'pipe' });
}

/** parentDeathWrapper's answer, probed once per process. */
let wrapperProbe: readonly [string, ...string[]] | null | undefined;

/**
 * The argv prefix that makes a control client die with this process, or
 * null where there is none. Seen here: after a SIGKILL of the daemon its
 * `tmux -C` clients stay attached (tmux's server holds their stdin and
 * stdout, so our pipes closing ends nothing), and one with pane output
 * queued for it keeps `kill-server` from ever completing while every new
 * command fails with "server exited unexpectedly" (TMUX-FACTS.md, "Hazard").
 * `setpriv --pdeathsig KILL` (util-linux) sets Linux's PR_SET_PDEATHSIG,
 * which Node cannot reach without native code, then execs tmux: the kernel
 * kills the client the moment we die, SIGKILL included, and the server
 * drops it. Probed once: an old setpriv lacks the option.
 */
export function parentDeathWrapper(): readonly [string, ...string[]] | null {
  if (wrapperProbe === undefined) {
    const r = process.platform === 'linux' ? spawnSync('setpriv', ['--pdeathsig', 'KILL', 'true'], { stdio: 'ignore', timeout: 2_000 }) : null;
    wrapperProbe = r?.status === 0 ? ['setpriv', '--pdeathsig', 'KILL'] : null;
  }
  return wrapperProbe;
}
