/**
 * The only module that runs tmux. Builds argv (never a shell string), batches
 * many commands into one invocation, bounds every call with a timeout and
 * turns tmux's failures into typed errors a person can act on.
 *
 * It spawns with node:child_process rather than execa: execa costs ~120 ms
 * to import on this machine, most of the 150 ms budget of `tsession save`
 * (README, "Design").
 */
import { spawn, spawnSync, type StdioOptions } from 'node:child_process';
import type { ServerSpec } from './server.js';

/** One tmux command as argv, e.g. ['new-window', '-t', 'x:1']. */
export type TmuxCommand = readonly string[];

/** Why a tmux call failed. */
export type TmuxFailure =
  | 'not-installed'
  | 'too-old'
  | 'no-server'
  | 'no-access'
  | 'timeout'
  | 'refused'
  | 'command-failed';

/** A failed tmux call, with the server and what tmux said. */
export class TmuxError extends Error {
  override readonly name = 'TmuxError';
  constructor(
    readonly kind: TmuxFailure,
    message: string,
    readonly stderr = '',
  ) {
    super(message);
  }
}

/** Named defaults for tmux calls. */
export const TMUX_DEFAULTS = {
  /** A healthy server answers in ~5 ms; under load 100–660 ms was seen (TMUX-FACTS.md). */
  queryTimeoutMs: 3_000,
  /** Oldest tmux whose argv batching, formats and flags we rely on. */
  minVersion: [3, 2] as const,
  /** Grace after SIGTERM before SIGKILL for a timed-out tmux client. */
  killGraceMs: 200,
  /**
   * Bytes of argv one tmux client may send: the client packs argv into one
   * imsg of at most 16384 bytes (MAX_IMSGSIZE) and refuses more with
   * "command too long". Keep a margin for the header and server argv.
   */
  argvBudget: 15_800,
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

/**
 * tmux treats an argument ending in `;` as a command separator (and drops the
 * `;`), even in argv. `\;` at the end is taken as a literal `;`, so escaping
 * the last `;` makes every value arrive unchanged.
 */
export function escapeArg(arg: string): string {
  return arg.endsWith(';') ? `${arg.slice(0, -1)}\\;` : arg;
}

/** Escape a value tmux format-expands (new-window -n/-c, select-pane -T, rename-*). */
export function escapeFormat(value: string): string {
  return value.replaceAll('#', '##');
}

/** Join commands into one argv list separated by `;` arguments. */
export function batchArgv(commands: readonly TmuxCommand[]): string[] {
  const out: string[] = [];
  commands.forEach((cmd, i) => {
    if (i > 0) out.push(';');
    for (const arg of cmd) out.push(escapeArg(arg));
  });
  return out;
}

/** Global argv selecting the server: -S path [-f config]. */
export function serverArgv(server: ServerSpec): string[] {
  return server.configFile
    ? ['-S', server.socketPath, '-f', server.configFile]
    : ['-S', server.socketPath];
}

/** Environment for tmux: never inherit $TMUX, so "nested" checks do not fire. */
export function tmuxEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env = { ...base };
  delete env.TMUX;
  delete env.TMUX_PANE;
  return env;
}

/** Classify tmux's stderr into a failure kind with one actionable line. */
export function classifyFailure(server: ServerSpec, stderr: string): TmuxError {
  const said = stderr.trim().split('\n')[0] ?? '';
  const where = `tmux server ${server.label} (${server.socketPath})`;
  if (/no server running|No such file or directory|Connection refused/.test(stderr)) {
    return new TmuxError('no-server', `No ${where} is running`, stderr);
  }
  if (/Permission denied|access not allowed/.test(stderr)) {
    return new TmuxError('no-access', `Cannot access ${where}: permission denied`, stderr);
  }
  if (/server exited unexpectedly|lost server/.test(stderr)) {
    return new TmuxError(
      'refused',
      `The ${where} is alive but refuses commands (${said}); try \`tsession unfreeze\` or end it`,
      stderr,
    );
  }
  return new TmuxError('command-failed', `tmux failed on ${where}: ${said || 'no message'}`, stderr);
}

/** Run a batch of commands in one tmux invocation. Throws TmuxError. */
export function runTmux(
  server: ServerSpec,
  commands: readonly TmuxCommand[],
  opts: RunOptions = {},
): Promise<TmuxOutput> {
  const timeoutMs = opts.timeoutMs ?? TMUX_DEFAULTS.queryTimeoutMs;
  const argv = [...serverArgv(server), ...batchArgv(commands)];
  return new Promise((resolve, reject) => {
    const child = spawn('tmux', argv, {
      env: opts.env ?? tmuxEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
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
      child.stdout.destroy();
      child.stderr.destroy();
      settle(() =>
        reject(
          new TmuxError(
            'timeout',
            `The tmux server ${server.label} (${server.socketPath}) did not answer within ${timeoutMs} ms; it may be frozen (try \`tsession unfreeze\`)`,
          ),
        ),
      );
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
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
      const stderr = Buffer.concat(err).toString('utf8');
      settle(() => (code !== 0 ? reject(classifyFailure(server, stderr)) : resolve({ stdout: Buffer.concat(out), stderr })));
    });
  });
}

/** Split commands into batches whose packed argv fits one tmux client message. */
export function chunkCommands(commands: readonly TmuxCommand[], budget: number = TMUX_DEFAULTS.argvBudget): TmuxCommand[][] {
  const chunks: TmuxCommand[][] = [];
  let current: TmuxCommand[] = [];
  let size = 0;
  for (const cmd of commands) {
    // Each argument costs its UTF-8 bytes plus a NUL; the `;` separator 2.
    const cost = cmd.reduce((n, a) => n + Buffer.byteLength(escapeArg(a)) + 1, 2);
    if (cost > budget) {
      throw new TmuxError('command-failed', `Expected a tmux command under ${budget} bytes, got ${cost} (${cmd[0]})`);
    }
    if (size + cost > budget && current.length) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(cmd);
    size += cost;
  }
  if (current.length) chunks.push(current);
  return chunks;
}

/**
 * Run any number of commands in as few tmux invocations as the message limit
 * allows, in order; stdout is concatenated. Stops at the first failing batch.
 */
export async function runTmuxBatched(
  server: ServerSpec,
  commands: readonly TmuxCommand[],
  opts: RunOptions & { readonly parallel?: boolean } = {},
): Promise<TmuxOutput> {
  const chunks = chunkCommands(commands);
  if (chunks.length === 1) return runTmux(server, chunks[0]!, opts);
  if (opts.parallel) {
    const outs = await Promise.all(chunks.map((c) => runTmux(server, c, opts)));
    return { stdout: Buffer.concat(outs.map((o) => o.stdout)), stderr: outs.map((o) => o.stderr).join('') };
  }
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
