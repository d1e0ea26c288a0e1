/**
 * The PTY host: every session's mirror, its clients, its shell-integration
 * state, its checkpoints, and the revival of sessions whose processes are
 * gone. The processes themselves live in the keeper (keeper-core.ts); the
 * host asks it by message and can die and come back without a shell
 * noticing: on start it adopts what the keeper holds (screen from the last
 * checkpoint, then every byte since from the keeper's ring) and revives
 * what the keeper lost. Transport-free: host-main.ts puts it on sockets.
 */
import { randomBytes } from 'node:crypto';
import type { LastCommandRecord, PtySessionRecord } from '../../checkpoints/schema.js';
import { readArgv, readCwd, readStat } from '../../sessions/proc/facts.js';
import { MIRROR_DEFAULTS } from '../../sessions/pty/mirror.js';
import { launchShell, type IntegrationScripts } from '../../sessions/pty/shell-launch.js';
import { planRevive, reviveAllowed, type RevivePlanProbes } from '../../sessions/pty/revive-plan.js';
import type { RerunRule } from '../../sessions/restore/rerun-policy.js';
import { shellReady } from '../../sessions/restore/typing.js';
import { generateNonce } from '../../sessions/shell-integration/nonce-store.js';
import { PaneRegistry } from '../../sessions/shell-integration/pane-registry.js';
import type { ClientToHost, HostErrorKind, HostToClient, PtySessionInfo } from './client-protocol.js';
import type { HostEvent } from './host-events.js';
import { HostSession, type ClientLink } from './host-session.js';
import type { HostToKeeper, KeeperToHost, KeptSession } from './keeper-protocol.js';

/** Where the host's messages to the keeper go. */
export interface KeeperLink {
  send(message: HostToKeeper): boolean;
}

/** A saved session as the checkpointer hands it back. */
export interface SavedSession {
  readonly record: PtySessionRecord;
  /** The serialized screen (escape sequences), or null when it was not saved or unreadable. */
  readonly screen: string | null;
  /** Output logged since that checkpoint (every generation from the record's on). */
  readonly log: Buffer | null;
}

/** One line of the host's journal (every event, in host-events.ts). */
export type { HostEvent } from './host-events.js';

/** What the host needs from its process. */
export interface HostOptions {
  readonly keeper: KeeperLink;
  /** The environment hosted shells start with (TERM is set by the host). */
  readonly env: Readonly<Record<string, string>>;
  /** The user's login shell from passwd, for the shell ladder. */
  readonly passwdShell: string | undefined;
  readonly home: string;
  /** Shell integration: generated start-up files and scripts, or null when off. */
  readonly integration: { readonly launchDir: string; readonly scripts: IntegrationScripts } | null;
  readonly rerunRules: readonly RerunRule[];
  readonly scrollback?: number;
  readonly probes: Pick<RevivePlanProbes, 'findExecutable' | 'nearestExistingDir'>;
  readonly journal: (e: HostEvent) => void;
  /** Output of each session as it arrives (the output log). */
  readonly onOutput?: (s: HostSession, data: Uint8Array) => void;
  /** A session was created, revived or killed: worth a checkpoint now. */
  readonly onSessionsChanged?: (why: string) => void;
  readonly now?: () => number;
}

/** A session the checkpoint remembers but that stays down (the crash-loop breaker). */
export interface DownSession {
  readonly name: string;
  readonly reason: string;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;

/** Whether `name` may name a PTY session: letters, digits and ._@+-, 64 at most, not starting with a sign. */
export function isSessionName(name: string): boolean {
  return NAME_RE.test(name);
}

const newId = () => randomBytes(9).toString('base64url');

/** The host's state. */
export class PtyHost {
  private readonly byName = new Map<string, HostSession>();
  private readonly byId = new Map<string, HostSession>();
  private readonly attachedTo = new Map<ClientLink, HostSession>();
  private readonly spawns = new Map<string, { resolve: (pid: number) => void; reject: (message: string) => void }>();
  private readonly registry: PaneRegistry;
  private readonly now: () => number;
  private listed: ((sessions: readonly KeptSession[]) => void) | null = null;
  /** Per session: the generation of its output log and revive history (kept by the checkpointer). */
  readonly meta = new Map<string, { generation: number; revives: number[] }>();
  readonly down: DownSession[] = [];

  constructor(private readonly options: HostOptions) {
    this.now = options.now ?? Date.now;
    this.registry = new PaneRegistry({
      pidsOf: async (ids) => new Map(ids.flatMap((id) => {
        const pid = this.byId.get(id)?.pid;
        return pid ? [[id, pid] as const] : [];
      })),
      nonceOf: (pid) => [...this.byId.values()].find((s) => s.pid === pid)?.spec.nonce ?? undefined,
      sourceAlive: () => true,
    });
  }

  sessions(): HostSession[] {
    return [...this.byName.values()];
  }

  get(name: string): HostSession | undefined {
    return this.byName.get(name);
  }

  // --- the keeper ---------------------------------------------------------

  /** Ask the keeper what it holds (after connecting to it). */
  listKept(): Promise<readonly KeptSession[]> {
    return new Promise((resolve) => {
      this.listed = resolve;
      this.options.keeper.send({ type: 'list' });
    });
  }

  /** Handle one keeper message. */
  fromKeeper(m: KeeperToHost): void {
    switch (m.type) {
      case 'sessions':
        this.listed?.(m.sessions);
        this.listed = null;
        return;
      case 'spawned':
        this.spawns.get(m.id)?.resolve(m.pid);
        this.spawns.delete(m.id);
        return;
      case 'spawn-failed':
        this.spawns.get(m.id)?.reject(m.message);
        this.spawns.delete(m.id);
        return;
      case 'output': {
        const s = this.byId.get(m.id);
        if (s) s.output(m.from, m.data);
        return;
      }
      case 'exit': {
        const s = this.byId.get(m.id);
        if (!s || s.exit) return;
        s.exited(m.exitCode, m.signal);
        this.options.journal({ event: 'exit', session: s.spec.name, exitCode: m.exitCode, signal: m.signal });
        return;
      }
      default:
        return;
    }
  }

  /**
   * Take over what the keeper holds (screen from the checkpoint when it is
   * the same incarnation, then the bytes since), and revive what it lost.
   */
  async adopt(kept: readonly KeptSession[], saved: readonly SavedSession[]): Promise<void> {
    const savedById = new Map(saved.map((s) => [s.record.incarnation, s]));
    for (const k of kept) {
      const prior = savedById.get(k.id);
      const s = this.addSession(
        {
          name: k.name,
          id: k.id,
          argv: [k.file, ...k.args],
          isShell: prior?.record.isShell ?? true,
          cwd: k.cwd,
          createdAt: prior?.record.createdAt ?? k.createdAt,
          nonce: null,
        },
        { cols: k.cols, rows: k.rows },
      );
      s.pid = k.pid;
      this.meta.set(k.id, { generation: prior?.record.logGeneration ?? 0, revives: [...(prior?.record.revives ?? [])] });
      // The checkpoint's screen covers output up to its offset; the keeper's ring has the rest.
      let from = k.start;
      if (prior?.screen && prior.record.outputOffset >= k.start && prior.record.outputOffset <= k.end) {
        await s.replay(prior.screen);
        from = prior.record.outputOffset;
      }
      s.offset = from;
      this.options.keeper.send({ type: 'follow', id: k.id, from });
      this.options.journal({ event: 'adopt', session: k.name, pid: k.pid, from, lostBefore: from === k.start ? k.start : 0 });
    }
    const keptIds = new Set(kept.map((k) => k.id));
    const keptNames = new Set(kept.map((k) => k.name));
    for (const s of saved) {
      if (keptIds.has(s.record.incarnation) || keptNames.has(s.record.name)) continue;
      if (s.record.process.state !== 'running') continue;
      await this.revive(s);
    }
  }

  /** Bring back a session whose process is gone, from its checkpoint. */
  async revive(saved: SavedSession): Promise<HostSession | null> {
    const r = saved.record;
    const now = this.now();
    if (!isSessionName(r.name) || this.byName.has(r.name)) {
      this.options.journal({ event: 'revive-refused', session: r.name, reason: 'not a valid session name, or taken' });
      return null;
    }
    if (!reviveAllowed(r.revives, now)) {
      const reason = `revived ${r.revives.length} times lately (crash loop); left down — tsession kill ${r.name} to forget it, tsession new ${r.name} to start afresh`;
      this.down.push({ name: r.name, reason });
      this.options.journal({ event: 'revive-breaker-open', session: r.name, revives: r.revives });
      return null;
    }
    const plan = planRevive(r, this.options.rerunRules, {
      ...this.options.probes,
      envShell: this.options.env.SHELL,
      passwdShell: this.options.passwdShell,
      home: this.options.home,
    });
    const cols = r.cols;
    const rows = r.rows;
    const nonce = this.options.integration ? generateNonce() : null;
    const spec = { name: r.name, id: newId(), argv: [plan.file, ...plan.args], isShell: true, cwd: plan.cwd, createdAt: r.createdAt, nonce };
    const s = this.addSession(spec, { cols, rows });
    s.revivedAt = now;
    this.meta.set(spec.id, { generation: 0, revives: [...r.revives.filter((t) => t > now - 3_600_000), now].slice(-16) });
    // The saved screen and what was logged after it, then a line that says what happened.
    if (saved.screen) await s.replay(saved.screen);
    if (saved.log) await s.replay(saved.log);
    const stamp = new Date(now).toISOString().replace('T', ' ').slice(0, 19);
    const notes = plan.notes.map((n) => `\r\n\x1b[2m  ${n}\x1b[0m\x1b[K`).join('');
    // Back to the main screen only from the alternate one (1049l also restores a saved cursor, which would jump);
    // each line erased to its end, so no old text shows beside the new.
    const leaveAlternate = s.mirror.facts().alternateScreen ? '\x1b[?1049l' : '';
    await s.replay(`${leaveAlternate}\x1b[0m\x1b[?25h\r\n\x1b[7m restored ${stamp} \x1b[0m\x1b[K${notes}\r\n\x1b[K`);
    try {
      await this.spawn(s, plan.file, plan.args, plan.cwd, {}, true);
    } catch (message) {
      this.options.journal({ event: 'revive-failed', session: r.name, reason: String(message) });
      this.removeSession(s);
      return null;
    }
    // Journaled once it holds: a failed revive is one line, not a "revived" and a "failed".
    this.options.journal({ event: 'revive', session: r.name, shell: plan.file, cwd: plan.cwd, notes: plan.notes, ladder: plan.ladder });
    if (plan.typed) void this.typeWhenReady(s, plan.typed.text, plan.typed.enter, plan.shell);
    return s;
  }

  // --- clients -------------------------------------------------------------

  /** Handle one client message; replies go to `link`. */
  async fromClient(link: ClientLink, m: ClientToHost): Promise<void> {
    const fail = (kind: HostErrorKind, message: string) => void link.send({ type: 'error', kind, message });
    switch (m.type) {
      case 'list':
        link.send({ type: 'sessions', sessions: this.list() });
        return;
      case 'new':
        return this.create(link, m, fail);
      case 'attach': {
        const s = this.byName.get(m.name);
        if (!s) return fail('unknown-session', `No PTY session named ${JSON.stringify(m.name)}; tsession list shows them`);
        this.attachedTo.get(link)?.detach(link);
        this.attachedTo.set(link, s);
        await s.attach(link, { cols: m.cols, rows: m.rows, readOnly: m.readOnly });
        return;
      }
      case 'input':
        this.attachedTo.get(link)?.input(link, m.data);
        return;
      case 'resize':
        this.attachedTo.get(link)?.resize(link, m.cols, m.rows);
        return;
      case 'detach':
        this.clientGone(link);
        return;
      case 'peek': {
        const s = this.byName.get(m.name);
        if (!s) return fail('unknown-session', `No PTY session named ${JSON.stringify(m.name)}; tsession list shows them`);
        link.send({ type: 'peeked', name: m.name, text: await s.peek(m.ansi) });
        return;
      }
      case 'kill': {
        const s = this.byName.get(m.name);
        if (!s) return fail('unknown-session', `No PTY session named ${JSON.stringify(m.name)}; tsession list shows them`);
        this.kill(s);
        link.send({ type: 'killed', name: m.name });
        return;
      }
      default:
        return;
    }
  }

  /** A client's connection ended (or it detached). */
  clientGone(link: ClientLink): void {
    this.attachedTo.get(link)?.detach(link);
    this.attachedTo.delete(link);
  }

  /** A client that fell behind caught up. */
  clientDrained(link: ClientLink): void {
    this.attachedTo.get(link)?.drained(link);
  }

  list(): PtySessionInfo[] {
    return this.sessions().map((s) => s.info(this.cwdOf(s).path));
  }

  /** The session's cwd: shell integration's when current, else /proc's, else where it started. */
  cwdOf(s: HostSession): PtySessionRecord['cwd'] {
    const proc = s.pid && !s.exit ? readCwd(s.pid) : null;
    const marked = s.pid ? this.registry.cwd({ id: s.spec.id, pid: s.pid }, { source: 'proc', cwd: proc }) : undefined;
    if (marked) return marked;
    return proc ? { path: proc, source: 'proc' } : { path: s.spec.cwd, source: 'heuristic' };
  }

  /** The last command shell integration saw, with its trust. */
  lastCommandOf(s: HostSession): LastCommandRecord | null {
    return s.pid ? (this.registry.lastCommand({ id: s.spec.id, pid: s.pid }) ?? null) : null;
  }

  /** The foreground job on the session's pty when it is not the shell. */
  foregroundOf(s: HostSession): PtySessionRecord['foreground'] {
    if (!s.pid || s.exit) return { kind: 'shell' };
    const st = readStat(s.pid);
    if (!st || st.tpgid <= 0 || st.tpgid === st.pgrp) return { kind: 'shell' };
    const argv = readArgv(st.tpgid);
    const command = argv?.[0]?.split('/').pop() ?? readStat(st.tpgid)?.comm ?? '?';
    return { kind: 'job', command, argv: argv && argv.length > 0 ? argv : null, cwd: readCwd(st.tpgid), source: 'proc' };
  }

  /** End a session: hang up a running one, forget an exited one. */
  kill(s: HostSession): void {
    if (!s.exit) this.options.keeper.send({ type: 'signal', id: s.spec.id, signal: 'SIGHUP' });
    this.options.keeper.send({ type: 'release', id: s.spec.id });
    this.options.journal({ event: 'kill', session: s.spec.name });
    this.removeSession(s);
    this.options.onSessionsChanged?.('kill');
  }

  private async create(link: ClientLink, m: Extract<ClientToHost, { type: 'new' }>, fail: (k: HostErrorKind, msg: string) => void): Promise<void> {
    if (!isSessionName(m.name)) {
      return fail('bad-request', `Expected a session name of letters, digits and . _ @ + - (64 at most, starting with a letter or digit), got ${JSON.stringify(m.name)}`);
    }
    if (this.byName.has(m.name)) return fail('exists', `A PTY session named ${JSON.stringify(m.name)} already exists; tsession attach ${m.name}`);
    const isShell = m.argv === null || m.argv.length === 0;
    const file = isShell ? (this.options.env.SHELL || this.options.passwdShell || '/bin/sh') : m.argv![0]!;
    const args = isShell ? [] : m.argv!.slice(1);
    const nonce = isShell && this.options.integration ? generateNonce() : null;
    const spec = { name: m.name, id: newId(), argv: [file, ...args], isShell, cwd: m.cwd, createdAt: this.now(), nonce };
    const s = this.addSession(spec, { cols: m.cols, rows: m.rows });
    this.meta.set(spec.id, { generation: 0, revives: [] });
    try {
      const pid = await this.spawn(s, file, args, m.cwd, m.env, isShell);
      this.options.journal({ event: 'new', session: m.name, argv: spec.argv, cwd: m.cwd, pid });
      link.send({ type: 'created', name: m.name, id: spec.id, pid });
      this.options.onSessionsChanged?.('new');
    } catch (message) {
      this.removeSession(s);
      fail('spawn-failed', String(message));
    }
  }

  private async spawn(s: HostSession, file: string, args: readonly string[], cwd: string, extraEnv: Readonly<Record<string, string>>, isShell: boolean): Promise<number> {
    const env = { ...this.options.env, ...extraEnv, TERM: 'xterm-256color', COLORTERM: 'truecolor', TSESSION_SESSION: s.spec.name };
    const launch = isShell
      ? launchShell(file, args, env, { launchDir: this.options.integration?.launchDir ?? null, scripts: this.options.integration?.scripts ?? null, nonce: s.spec.nonce })
      : { file, args, env };
    const pid = await new Promise<number>((resolve, reject) => {
      this.spawns.set(s.spec.id, { resolve, reject });
      this.options.keeper.send({ type: 'spawn', id: s.spec.id, name: s.spec.name, file: launch.file, args: launch.args, cwd, env: launch.env, cols: s.cols, rows: s.rows });
    });
    s.pid = pid;
    s.offset = 0;
    this.options.keeper.send({ type: 'follow', id: s.spec.id, from: 0 });
    return pid;
  }

  /** Type `text` at the shell's first prompt (Enter only when the re-run policy allowed it). */
  private async typeWhenReady(s: HostSession, text: string, enter: boolean, shell: string): Promise<void> {
    const deadline = this.now() + 10_000;
    while (this.now() < deadline && !s.exit) {
      if (s.pid && s.offset > 0 && shellReady(s.pid, shell)) {
        this.options.keeper.send({ type: 'input', id: s.spec.id, data: enter ? `${text}\r` : text });
        this.options.journal({ event: enter ? 'rerun' : 'typed', session: s.spec.name, text });
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    this.options.journal({ event: 'typing-gave-up', session: s.spec.name, reason: 'the shell never reached its prompt' });
  }

  private addSession(spec: HostSession['spec'], size: { cols: number; rows: number }): HostSession {
    const id = spec.id;
    const s = new HostSession(
      spec,
      {
        input: (data) => void this.options.keeper.send({ type: 'input', id, data }),
        resize: (cols, rows) => void this.options.keeper.send({ type: 'resize', id, cols, rows }),
        pace: (hold) => void this.options.keeper.send({ type: 'pace', id, hold }),
      },
      size,
      this.options.scrollback ?? MIRROR_DEFAULTS.scrollback,
    );
    s.onOutput((data) => {
      this.registry.output('pty', id, data);
      this.options.onOutput?.(s, data);
    });
    this.byName.set(spec.name, s);
    this.byId.set(id, s);
    return s;
  }

  private removeSession(s: HostSession): void {
    for (const [link, attached] of this.attachedTo) {
      if (attached !== s) continue;
      link.send({ type: 'exited', id: s.spec.id, exitCode: s.exit?.exitCode ?? 0, signal: s.exit?.signal ?? null } satisfies HostToClient);
      this.attachedTo.delete(link);
    }
    this.byName.delete(s.spec.name);
    this.byId.delete(s.spec.id);
    this.registry.keepOnly(new Set(this.byId.keys()));
    s.dispose();
  }
}
