/**
 * Reaching the PTY host from a command or the TUI: connect to its socket,
 * start it on demand (detached, it outlives the caller), and ask it one
 * thing at a time. A host that cannot start says so at once: its failed
 * start, or its crash-loop breaker's refusal, is in its start history.
 * Failures are PtyHostError values with a kind and an exit code; nothing
 * here prints.
 */
import { ptyHostLogFile, ptyHostSocketFile, ptyHostStartsFile, ptyStoreDir, ensurePrivateDir, selfBinPath } from '../../checkpoints/paths.js';
import { connect, type ClientState, type IpcClient, type Message } from '../ipc/index.js';
import type { ClientToHost, HostErrorKind, HostToClient } from '../pty-host/client-protocol.js';
import { HOST_PROTOCOL, HOST_TO_CLIENT_TYPES } from '../pty-host/protocols.js';
import { spawnDetached } from '../pty-host/spawn-detached.js';
import { failedStartSince, refusalMessage, standingRefusal } from '../pty-host/start-breaker.js';
import { readStartHistory } from '../pty-host/start-history.js';
import type { Context } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';

/** Where the host lives and how to start it. */
export interface PtyHostAccess {
  readonly runtimeDir: string;
  readonly stateDir: string;
  /** How to run tsession itself: node and the bin (the host is `… pty-host`). */
  readonly selfCommand: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

/** The access of a CLI run. */
export function ptyAccessOf(ctx: Context, selfCommand: readonly string[] = [process.execPath, selfBinPath(process.argv[1])]): PtyHostAccess {
  return { runtimeDir: ctx.paths.runtimeDir, stateDir: ctx.paths.stateDir, selfCommand, env: ctx.env };
}

/** Why the host could not help. */
export type PtyHostErrorKind = HostErrorKind | 'host-down' | 'start-failed' | 'host-breaker-open' | 'incompatible';

const EXIT_OF: Readonly<Record<PtyHostErrorKind, ExitCode>> = {
  'unknown-session': EXIT.usage,
  exists: EXIT.conflict,
  'bad-request': EXIT.usage,
  'spawn-failed': EXIT.failed,
  'not-running': EXIT.failed,
  'host-down': EXIT.failed,
  'start-failed': EXIT.failed,
  'host-breaker-open': EXIT.failed,
  incompatible: EXIT.failed,
};

/** A failure talking to the PTY host: one line, a kind, an exit code. */
export class PtyHostError extends Error {
  override readonly name = 'PtyHostError';
  readonly exitCode: ExitCode;
  constructor(
    readonly kind: PtyHostErrorKind,
    message: string,
  ) {
    super(message);
    this.exitCode = EXIT_OF[kind];
  }
}

/** How long a command waits for a host it started to answer. */
export const HOST_START_TIMEOUT_MS = 20_000;

/** Start the host detached (it takes its lock; a second one started at once exits quietly). */
export async function startHostProcess(access: PtyHostAccess): Promise<void> {
  const store = ptyStoreDir(access.stateDir);
  await ensurePrivateDir(store);
  spawnDetached([...access.selfCommand, 'pty-host'], ptyHostLogFile(access.stateDir), access.env);
}

/**
 * Why no host will come, or null: the crash-loop breaker refused the last
 * start and is still open, or a host started at or after `since` (epoch
 * ms) failed. Read from the host's start history; never throws.
 */
export async function hostStartBlocked(access: PtyHostAccess, since: number = Number.POSITIVE_INFINITY): Promise<PtyHostError | null> {
  const { history } = await readStartHistory(ptyHostStartsFile(access.stateDir));
  const now = Date.now();
  const log = ptyHostLogFile(access.stateDir);
  const refused = standingRefusal(history, now);
  if (refused) return new PtyHostError('host-breaker-open', refusalMessage(refused, now, log));
  const failed = failedStartSince(history, since);
  return failed ? new PtyHostError('start-failed', `The PTY host could not start: ${failed}; see ${log}`) : null;
}

/** A connection to the host that asks one question at a time and streams the rest to a listener. */
export class HostConnection {
  private waiter: { types: readonly string[]; resolve: (m: HostToClient) => void } | null = null;
  /** Messages nobody waits for (attach's stream). */
  onMessage: (m: HostToClient) => void = () => {};
  onState: (state: ClientState) => void = () => {};

  private constructor(readonly client: IpcClient) {}

  /** Connect; with `start`, start the host when none answers. `reconnect` keeps trying after a loss (attach). */
  static async open(access: PtyHostAccess, options: { start: boolean; reconnect?: boolean }): Promise<HostConnection> {
    const path = ptyHostSocketFile(access.runtimeDir);
    const dial = async (reconnect: boolean): Promise<HostConnection | { kind: string; message: string }> => {
      // The handlers exist before the connection they deliver to.
      const ref: { conn?: HostConnection } = {};
      const handlers = Object.fromEntries(HOST_TO_CLIENT_TYPES.map((t) => [t, (m: Message) => ref.conn?.receive(m as unknown as HostToClient)]));
      const client = connect(path, { protocol: HOST_PROTOCOL, handlers, reconnect, onState: (s) => ref.conn?.onState(s) });
      const conn = new HostConnection(client);
      ref.conn = conn;
      const ready = await client.ready;
      if (ready.ok) return conn;
      client.close();
      return { kind: ready.error.kind, message: ready.error.message };
    };
    let first = await dial(false);
    if (first instanceof HostConnection) return options.reconnect ? (first.client.close(), HostConnection.openRetrying(dial)) : first;
    if (first.kind === 'incompatible') throw new PtyHostError('incompatible', first.message);
    // A host that accepts but does not answer yet may be starting (adopting, reviving) on a busy machine.
    const starting = (kind: string) => kind === 'not-running' || kind === 'not-answering';
    if (!starting(first.kind)) throw new PtyHostError('host-down', first.message);
    if (!options.start) throw new PtyHostError('host-down', first.kind === 'not-running' ? 'The PTY host is not running (tsession new NAME starts it)' : first.message);
    // Harmless when one is starting already: the host lock lets one run, the other exits quietly.
    const startedAt = Date.now();
    if (first.kind === 'not-running') {
      const blocked = await hostStartBlocked(access);
      if (blocked) throw blocked;
      await startHostProcess(access);
    }
    const deadline = startedAt + HOST_START_TIMEOUT_MS;
    let lookedAt = startedAt;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 30));
      first = await dial(false);
      if (first instanceof HostConnection) return options.reconnect ? (first.client.close(), HostConnection.openRetrying(dial)) : first;
      if (!starting(first.kind)) throw new PtyHostError('start-failed', first.message);
      // A host that failed or was refused says so in its start history: no need to wait out the deadline.
      if (Date.now() - lookedAt >= 150) {
        lookedAt = Date.now();
        const blocked = await hostStartBlocked(access, startedAt);
        if (blocked) throw blocked;
      }
    }
    throw new PtyHostError('start-failed', `The PTY host did not answer within ${HOST_START_TIMEOUT_MS / 1000} s; see ${ptyHostLogFile(access.stateDir)}`);
  }

  private static async openRetrying(dial: (reconnect: boolean) => Promise<HostConnection | { kind: string; message: string }>): Promise<HostConnection> {
    const c = await dial(true);
    if (c instanceof HostConnection) return c;
    throw new PtyHostError('host-down', c.message);
  }

  /** Send a request and wait for the first reply of one of `types` (or an error). */
  request<T extends HostToClient['type']>(message: ClientToHost, types: readonly T[], timeoutMs = 15_000): Promise<Extract<HostToClient, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new PtyHostError('host-down', `The PTY host did not answer a ${message.type} request within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.waiter = {
        types: [...types, 'error'],
        resolve: (m) => {
          clearTimeout(timer);
          this.waiter = null;
          if (m.type === 'error') reject(new PtyHostError(m.kind, m.message));
          else resolve(m as Extract<HostToClient, { type: T }>);
        },
      };
      if (!this.client.send(message)) {
        clearTimeout(timer);
        this.waiter = null;
        reject(new PtyHostError('host-down', 'The PTY host connection is not open'));
      }
    });
  }

  send(message: ClientToHost): boolean {
    return this.client.send(message);
  }

  close(): void {
    this.client.close();
  }

  private receive(m: HostToClient): void {
    if (this.waiter && this.waiter.types.includes(m.type)) return this.waiter.resolve(m);
    this.onMessage(m);
  }
}
