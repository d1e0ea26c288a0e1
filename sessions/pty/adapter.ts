/**
 * The only door to node-pty: spawn a process on a new pseudo-terminal and
 * talk to it in bytes. node-pty is loaded on first use, so commands that host
 * no PTY never pay for (or trip over) the native module. Non-goals: mirroring
 * the screen (mirror.ts), keeping sessions (src/pty-host/).
 */
import type * as NodePty from 'node-pty';

/** Why a PTY could not be had: the native module is missing or broken, or spawning failed. */
export type PtyErrorKind = 'unavailable' | 'spawn-failed';

/** A failure of the adapter; `message` is one line a person can act on. */
export class PtyError extends Error {
  override readonly name = 'PtyError';
  constructor(
    readonly kind: PtyErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What a hosted process is started with. Argv, never a shell string. */
export interface PtySpawnRequest {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly cols: number;
  readonly rows: number;
}

/** A process on a pseudo-terminal, seen as bytes. */
export interface PtyProcess {
  readonly pid: number;
  /** Every chunk the process wrote, as bytes (never decoded, so no UTF-8 split is lost). */
  onData(listener: (data: Buffer) => void): void;
  /** The process ended: its exit code, or the signal that ended it. */
  onExit(listener: (exit: PtyExit) => void): void;
  write(data: string | Buffer): void;
  resize(cols: number, rows: number): void;
  /** Send a signal to the process (default SIGHUP, what a closing terminal sends). */
  kill(signal?: NodeJS.Signals): void;
  /** Stop reading the master (back-pressure) and resume. */
  pause(): void;
  resume(): void;
}

/** How a hosted process ended. */
export interface PtyExit {
  readonly exitCode: number;
  /** The signal number that ended it, or null. */
  readonly signal: number | null;
}

let loaded: Promise<typeof NodePty> | undefined;

/** node-pty, loaded once; a missing or broken native build is a PtyError('unavailable'). */
export function loadNodePty(): Promise<typeof NodePty> {
  loaded ??= import('node-pty').then(
    (m) => ((m as { default?: typeof NodePty }).default ?? m) as typeof NodePty,
    (e: unknown) => {
      loaded = undefined;
      const detail = e instanceof Error ? e.message.split('\n')[0] : String(e);
      throw new PtyError(
        'unavailable',
        `node-pty (the native module tsession hosts shells with) cannot be loaded (${detail}): reinstall tsession with build tools present (npm rebuild node-pty)`,
        { cause: e },
      );
    },
  );
  return loaded;
}

/** Clamp a terminal size to what a pty accepts (1…4096 each way). */
export function clampSize(cols: number, rows: number): { cols: number; rows: number } {
  const c = (n: number, d: number) => (Number.isFinite(n) ? Math.min(4096, Math.max(1, Math.floor(n))) : d);
  return { cols: c(cols, 80), rows: c(rows, 24) };
}

/** Start `req.file` with `req.args` on a new pty. */
export async function spawnPty(req: PtySpawnRequest): Promise<PtyProcess> {
  const pty = await loadNodePty();
  const size = clampSize(req.cols, req.rows);
  let proc: NodePty.IPty;
  try {
    proc = pty.spawn(req.file, [...req.args], {
      name: req.env.TERM ?? 'xterm-256color',
      cols: size.cols,
      rows: size.rows,
      cwd: req.cwd,
      env: { ...req.env },
      // Bytes, not strings: the mirror, the ring and the log must see exactly what the process wrote.
      encoding: null,
    });
  } catch (e) {
    throw new PtyError('spawn-failed', `Expected ${JSON.stringify(req.file)} to start on a pty, got: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return wrap(proc);
}

function wrap(proc: NodePty.IPty): PtyProcess {
  return {
    pid: proc.pid,
    onData: (listener) => {
      proc.onData((d) => listener(typeof d === 'string' ? Buffer.from(d, 'utf8') : (d as unknown as Buffer)));
    },
    onExit: (listener) => {
      proc.onExit((e) => listener({ exitCode: e.exitCode, signal: e.signal ? e.signal : null }));
    },
    write: (data) => proc.write(data),
    resize: (cols, rows) => {
      const s = clampSize(cols, rows);
      try {
        proc.resize(s.cols, s.rows);
      } catch {
        // The process is gone (EBADF on the master): its exit event says so.
      }
    },
    kill: (signal = 'SIGHUP') => {
      try {
        proc.kill(signal);
      } catch {
        // Already gone.
      }
    },
    pause: () => proc.pause(),
    resume: () => proc.resume(),
  };
}
