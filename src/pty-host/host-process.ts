/**
 * The PTY host as a process: takes the host lock, connects to the keeper
 * (starting one when none runs), adopts or revives the sessions, listens
 * for clients, checkpoints, and stops on SIGTERM after a final checkpoint
 * (the keeper and its shells stay). Losing the keeper ends the host: the
 * next client starts a new host, whose new keeper has nothing, so every
 * session is revived from the checkpoint and its log. Each start passes the
 * crash-loop breaker first (start-breaker.ts): after too many crashed
 * starts in a row the host refuses, and says why.
 */
import { ptyHostLockFile, ptyHostSocketFile, ptyKeeperSocketFile, ptyLogDir } from '../../checkpoints/paths.js';
import { takeLock } from '../../checkpoints/lock.js';
import type { CheckpointStore } from '../../checkpoints/store.js';
import { PROC_IDENTITY } from '../../sessions/proc/liveness.js';
import type { IntegrationScripts } from '../../sessions/pty/shell-launch.js';
import type { RerunRule } from '../../sessions/restore/rerun-policy.js';
import { connect, ensureRuntimeDir, listen, type Connection, type IpcClient, type Message } from '../ipc/index.js';
import { PtyCheckpointer, PTY_CHECKPOINT_TIMING } from './checkpointer.js';
import type { ClientToHost, HostToClient } from './client-protocol.js';
import type { ClientLink } from './host-session.js';
import { PtyHost, type HostEvent, type HostOptions } from './host.js';
import type { KeeperToHost } from './keeper-protocol.js';
import { CLIENT_TO_HOST_TYPES, HOST_PROTOCOL, KEEPER_PROTOCOL, KEEPER_TO_HOST_TYPES } from './protocols.js';
import { spawnDetached } from './spawn-detached.js';
import { passStartGate, type AllowedStart } from './start-history.js';
import type { StartVerdict } from './start-breaker.js';
import { writeLaunchFiles } from '../../sessions/pty/shell-launch.js';

/** What the host process is started with (the CLI's pty-host command resolves it). */
export interface HostProcessOptions {
  readonly runtimeDir: string;
  readonly stateDir: string;
  readonly store: CheckpointStore;
  /** How to start the keeper: node and its entry. */
  readonly keeperCommand: readonly string[];
  /** Where the keeper's stderr (JSON lines) goes. */
  readonly keeperLog: string;
  readonly env: Readonly<Record<string, string>>;
  readonly passwdShell: string | undefined;
  readonly home: string;
  /** Shell integration scripts, or null when the config turns it off. */
  readonly scripts: IntegrationScripts | null;
  readonly rerunRules: readonly RerunRule[];
  readonly scrollback: number;
  readonly probes: HostOptions['probes'];
  readonly journal: (e: HostEvent) => void;
  /** The start history of the crash-loop breaker (ptyHostStartsFile). */
  readonly startsFile: string;
  /** Started by a person in a terminal: the breaker lets it start and forgets the crashes before. */
  readonly byHand: boolean;
}

/** A started host. */
export type HostStart =
  | {
      readonly kind: 'running';
      readonly host: PtyHost;
      readonly stop: (why: string) => Promise<void>;
      readonly stopped: Promise<number>;
      /** The process is going down on an uncaught error: journal it and count it as a crash. */
      readonly crashed: (reason: string) => Promise<void>;
    }
  | { readonly kind: 'already-running'; readonly pid: number }
  | { readonly kind: 'failed'; readonly message: string }
  /** The crash-loop breaker is open: this start was refused (and journaled). */
  | { readonly kind: 'breaker-open'; readonly verdict: Extract<StartVerdict, { kind: 'open' }> };

/** How long the host waits for a keeper it started to answer. */
export const KEEPER_START_TIMEOUT_MS = 15_000;

/** Start the host; resolves once it listens for clients. */
export async function startHost(o: HostProcessOptions): Promise<HostStart> {
  // The lock lives beside the sockets: the directory is checked (ours, 0700, no symlink) first.
  const dir = await ensureRuntimeDir(o.runtimeDir);
  if (!dir.ok) return { kind: 'failed', message: dir.error.message };
  const lock = await takeLock(ptyHostLockFile(o.runtimeDir), PROC_IDENTITY);
  if (lock.kind === 'held') return { kind: 'already-running', pid: lock.holder.pid };
  // Under the lock: no other host runs, so every start in the history is over.
  const gate = await passStartGate(o.startsFile, { pid: process.pid, now: Date.now(), byHand: o.byHand });
  for (const reason of gate.problems) o.journal({ event: 'start-history-unreadable', reason });
  if (gate.kind === 'open') {
    o.journal({ event: 'host-breaker-open', crashes: gate.verdict.crashes, windowMs: gate.verdict.windowMs, until: gate.verdict.until });
    await lock.release();
    return { kind: 'breaker-open', verdict: gate.verdict };
  }
  try {
    return await serve(o, lock, gate.start);
  } catch (e) {
    // A start that throws is a failed start: counted, journaled, the lock let go.
    const message = e instanceof Error ? e.message : String(e);
    o.journal({ event: 'start-failed', reason: message });
    await gate.start.end('failed', message);
    await lock.release();
    return { kind: 'failed', message };
  }
}

/** The host past its lock and its breaker: keeper, sessions, socket, timers. */
async function serve(o: HostProcessOptions, lock: { release(): Promise<void> }, allowed: AllowedStart): Promise<HostStart> {
  const fail = async (message: string): Promise<HostStart> => {
    o.journal({ event: 'start-failed', reason: message });
    await allowed.end('failed', message);
    await lock.release();
    return { kind: 'failed', message };
  };
  const checkpointer = new PtyCheckpointer(o.store, ptyLogDir(o.stateDir));
  try {
    await checkpointer.prepare();
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
  let launchDir: string | null = null;
  if (o.scripts) {
    try {
      launchDir = await writeLaunchFiles(o.runtimeDir, o.scripts);
    } catch (e) {
      o.journal({ event: 'integration-off', reason: e instanceof Error ? e.message : String(e) });
    }
  }

  let resolveStopped!: (code: number) => void;
  const stopped = new Promise<number>((r) => (resolveStopped = r));
  /** Longest a stop may take before the host exits anyway. */
  const HOST_STOP_TIMEOUT_MS = 5_000;
  // The keeper's messages go to the host made below, once it exists.
  const ref: { host?: PtyHost } = {};
  const keeperHandlers = Object.fromEntries(KEEPER_TO_HOST_TYPES.map((t) => [t, (m: Message) => ref.host?.fromKeeper(m as unknown as KeeperToHost)]));
  let everConnected = false;
  let stopping = false;

  const dialKeeper = (): Promise<IpcClient | null> =>
    new Promise((resolve) => {
      const client = connect(ptyKeeperSocketFile(o.runtimeDir), {
        protocol: KEEPER_PROTOCOL,
        handlers: keeperHandlers,
        reconnect: false,
        onState: (state, detail) => {
          if (state === 'closed' && everConnected && !stopping) {
            o.journal({ event: 'keeper-lost', reason: detail.reason?.message ?? detail.error?.message ?? 'closed' });
            void stop('keeper-lost', 1);
          }
          if (state === 'not-answering') o.journal({ event: 'keeper-not-answering' });
        },
      });
      void client.ready.then((r) => resolve(r.ok ? client : null));
    });

  let keeper = await dialKeeper();
  if (!keeper) {
    spawnDetached(o.keeperCommand, o.keeperLog, { ...o.env });
    const deadline = Date.now() + KEEPER_START_TIMEOUT_MS;
    while (!keeper && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      keeper = await dialKeeper();
    }
    if (!keeper) return fail(`The PTY keeper did not start within ${KEEPER_START_TIMEOUT_MS / 1000} s; see ${o.keeperLog}`);
    o.journal({ event: 'keeper-started' });
  }
  everConnected = true;
  const keeperClient = keeper;

  const host = new PtyHost({
    keeper: { send: (m) => keeperClient.send(m) },
    env: o.env,
    passwdShell: o.passwdShell,
    home: o.home,
    integration: launchDir && o.scripts ? { launchDir, scripts: o.scripts } : null,
    rerunRules: o.rerunRules,
    scrollback: o.scrollback,
    probes: o.probes,
    journal: o.journal,
    onOutput: (s, data) => checkpointer.append(s.spec.id, data, host.meta.get(s.spec.id)?.generation ?? 0),
    onSessionsChanged: (why) => requestSave(why),
  });
  ref.host = host;

  const saved = await checkpointer.load();
  for (const w of saved.warnings) o.journal({ event: 'checkpoint-warning', message: w });
  const kept = await host.listKept();
  await host.adopt(kept, saved.sessions);

  const links = new Map<number, ClientLink>();
  const linkOf = (conn: Connection): ClientLink => {
    let link = links.get(conn.id);
    if (!link) {
      link = { send: (m: HostToClient) => conn.send(m) };
      links.set(conn.id, link);
    }
    return link;
  };
  const clientHandlers = Object.fromEntries(
    CLIENT_TO_HOST_TYPES.map((t) => [t, (m: Message, conn: Connection) => host.fromClient(linkOf(conn), m as unknown as ClientToHost)]),
  );
  const server = await listen(ptyHostSocketFile(o.runtimeDir), {
    protocol: HOST_PROTOCOL,
    handlers: clientHandlers,
    onClose: (conn) => {
      const link = links.get(conn.id);
      links.delete(conn.id);
      if (link) host.clientGone(link);
    },
    backpressure: {
      policy: 'notify',
      onBackpressure: () => {},
      onDrain: (conn) => {
        const link = links.get(conn.id);
        if (link) host.clientDrained(link);
      },
    },
    log: (line) => o.journal({ ...line, event: `socket-${line.event}` }),
  });
  if (!server.ok) {
    keeperClient.close();
    return fail(server.error.message);
  }

  // Declared before the host can call it; the host's first sessions come from adopt() below.
  async function save(why: string): Promise<void> {
    try {
      await checkpointer.write(host);
    } catch (e) {
      o.journal({ event: 'save-failed', cause: why, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  // Sessions made or ended in a burst (a script creating 20) are saved once, a moment after.
  let saveSoon: NodeJS.Timeout | null = null;
  function requestSave(why: string): void {
    if (saveSoon) return;
    saveSoon = setTimeout(() => {
      saveSoon = null;
      void save(why);
    }, 200);
  }
  await save('start');
  const syncTimer = setInterval(() => checkpointer.syncLogs(), 1_000);
  const saveTimer = setInterval(() => {
    if (host.sessions().some((s) => s.dirty)) void save('interval');
  }, PTY_CHECKPOINT_TIMING.intervalMs);

  const stop = async (why: string, code = 0): Promise<void> => {
    if (stopping) return;
    stopping = true;
    clearInterval(syncTimer);
    clearInterval(saveTimer);
    if (saveSoon) clearTimeout(saveSoon);
    o.journal({ event: 'stopping', cause: why });
    // A stop is bounded: a step that never settles (seen once, cause not found) must not keep the host, its lock and its socket up.
    let step = 'the final checkpoint';
    const deadline = setTimeout(() => {
      o.journal({ event: 'stop-timeout', step, afterMs: HOST_STOP_TIMEOUT_MS });
      resolveStopped(code);
    }, HOST_STOP_TIMEOUT_MS);
    if (why !== 'keeper-lost') await save('stop');
    step = 'closing the output logs';
    checkpointer.close();
    step = 'closing the client socket';
    await server.value.close();
    keeperClient.close();
    step = 'recording the stop in the start history';
    await allowed.end(why === 'keeper-lost' ? 'keeper-lost' : 'clean');
    step = 'releasing the host lock';
    await lock.release();
    clearTimeout(deadline);
    resolveStopped(code);
  };
  const crashed = async (reason: string): Promise<void> => {
    o.journal({ event: 'crashed', reason });
    await allowed.end('crashed', reason);
  };
  o.journal({ event: 'started', pid: process.pid, adopted: kept.length, sessions: host.sessions().length, ...(o.byHand ? { byHand: true } : {}) });
  await allowed.ready(Date.now());
  return { kind: 'running', host, stop: (why) => stop(why), stopped, crashed };
}
