/**
 * The chaos suite's world: one isolated tmux server with the user's
 * sessions (modelled in model.ts), the `tsession --watch --auto-restore`
 * daemon run from the built CLI as systemd would run it (restarted after we
 * kill it), and what the rounds need to act and to check: the truth read
 * from tmux and /proc, the journal since a moment, the store's files.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createContext } from '../../src/context.js';
import { readArgv, readCwd, readStat } from '../../sessions/proc/facts.js';
import { programName } from '../../sessions/proc/program-name.js';
import { runCli } from '../helpers/cli.js';
import { running, type Cleanup } from '../helpers/teardown.js';
import { createTestServer, waitFor, type TestServer } from '../helpers/tmux-server.js';
import { journalOf, startWatch, type Daemon, type Entry } from '../helpers/watch-daemon.js';
import { modelLines, newWindow, paneLine, panes, split, target, type PaneRef, type SessionModel } from './model.js';

/** The daemon as the suite runs it: interval saves every second (cwds and programs reach a checkpoint), no breaker in the way. */
export const DAEMON_ARGS = ['--interval', '1', '--auto-restore', '--max-restores', '100000', '--health', '0'] as const;

/** A stack trace line in a daemon's stderr: what must never be there. */
const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

export class ChaosWorld {
  readonly s: TestServer;
  readonly model: SessionModel[] = [];
  daemon!: Daemon;
  /** Every daemon started, with whether we ended it on purpose. */
  private readonly daemons: { d: Daemon; endedByUs: boolean }[] = [];
  private dirs = 0;
  private windows = 0;
  readonly storeDir: string;
  readonly log: string;

  private constructor(private readonly afterTest: (c: Cleanup) => void) {
    this.s = createTestServer();
    afterTest(() => this.s.kill());
    this.storeDir = createContext({ socketName: this.s.name, json: false, debug: false }, this.s.env).storeDir;
    this.log = join(this.s.home, 'chaos', 'app.log');
  }

  /** The user's starting sessions: alpha (a shell and `tail -f`; a second window), beta (two shells); then the daemon. */
  static async create(afterTest: (c: Cleanup) => void): Promise<ChaosWorld> {
    const w = new ChaosWorld(afterTest);
    mkdirSync(join(w.s.home, 'chaos'), { recursive: true });
    writeFileSync(w.log, 'first line\n');
    const [a0, a1, a2, b0, b1] = [w.dir(), w.dir(), w.dir(), w.dir(), w.dir()];
    w.s.tmux('new-session', '-d', '-s', 'alpha', '-n', 'edit', '-x', '160', '-y', '48', '-c', a0);
    w.s.tmux('split-window', '-d', '-t', 'alpha:0.0', '-c', a1);
    w.s.tmux('new-window', '-d', '-t', 'alpha:1', '-n', 'logs', '-c', a2);
    w.s.tmux('new-session', '-d', '-s', 'beta', '-n', 'main', '-x', '160', '-y', '48', '-c', b0);
    w.s.tmux('split-window', '-d', '-t', 'beta:0.0', '-c', b1);
    w.model.push(
      { name: 'alpha', windows: [{ index: 0, name: 'edit', panes: [{ cwd: a0, program: 'bash' }, { cwd: a1, program: 'bash' }] }, { index: 1, name: 'logs', panes: [{ cwd: a2, program: 'bash' }] }] },
      { name: 'beta', windows: [{ index: 0, name: 'main', panes: [{ cwd: b0, program: 'bash' }, { cwd: b1, program: 'bash' }] }] },
    );
    await w.atPrompt({ session: 'alpha', window: 0, pane: 1 });
    await w.runTail({ session: 'alpha', window: 0, pane: 1 });
    await w.settled('the starting sessions');
    w.startDaemon();
    await w.journalSince(0, (e) => e.what === 'save' && e.result === 'ok', 'the first save');
    return w;
  }

  /** A new directory for a pane. */
  dir(): string {
    const d = join(this.s.home, 'chaos', `d${this.dirs++}`);
    mkdirSync(d, { recursive: true });
    return d;
  }

  nextWindowName(): string {
    return `w${this.windows++}`;
  }

  startDaemon(): Daemon {
    this.daemon = startWatch(this.s, this.afterTest, DAEMON_ARGS);
    this.daemons.push({ d: this.daemon, endedByUs: false });
    return this.daemon;
  }

  /** Signal the running daemon (a death we cause) and wait for its exit code. */
  async endDaemon(signal: 'SIGKILL' | 'SIGTERM'): Promise<number | null> {
    const entry = this.daemons.find((x) => x.d === this.daemon)!;
    entry.endedByUs = true;
    this.daemon.child.kill(signal);
    return this.daemon.exited;
  }

  /** Daemons that died without us ending them, and stack traces in any daemon's stderr: both must be none. */
  daemonTrouble(): string[] {
    const out: string[] = [];
    for (const { d, endedByUs } of this.daemons) {
      if (!endedByUs && !running(d.child)) out.push(`daemon pid ${d.child.pid} died (exit ${d.child.exitCode}, signal ${d.child.signalCode}); stderr tail:\n${d.stderr().slice(-2000)}`);
      const trace = STACK_LINE.exec(d.stderr());
      if (trace) out.push(`daemon pid ${d.child.pid} printed a stack trace near: ${d.stderr().slice(Math.max(0, trace.index - 500), trace.index + 200)}`);
    }
    return out;
  }

  /** The tmux server's pid (throws when none answers). */
  serverPid(): number {
    return Number(this.s.tmux('display-message', '-p', '#{pid}').trim());
  }

  /** tmux control-mode clients (the daemon's event feed). */
  controlClients(): number {
    return this.s.tmuxTry('list-clients', '-F', '#{client_control_mode}').stdout.split('\n').filter((l) => l === '1').length;
  }

  /** What the server has now, one line per pane (as modelLines), from tmux and /proc; null when it does not answer. */
  truth(): string[] | null {
    const r = this.s.tmuxTry('list-panes', '-a', '-F', '#{session_name}\t#{window_index}\t#{window_name}\t#{pane_index}\t#{pane_pid}');
    if (r.status !== 0) return null;
    return r.stdout
      .split('\n')
      .filter(Boolean)
      .map((row) => {
        const [session, window, name, pane, pid] = row.split('\t') as [string, string, string, string, string];
        const st = readStat(Number(pid));
        const shell = st ? programName(readArgv(st.pid)?.[0] ?? st.comm) : '?';
        const job = st && st.tpgid > 0 && st.tpgid !== st.pgrp ? programName(readArgv(st.tpgid)?.[0] ?? '?') : '-';
        return paneLine(session, Number(window), name, Number(pane), readCwd(Number(pid)) ?? '?', `${shell}/${job}`);
      })
      .sort();
  }

  /** Wait until the server holds exactly what the model says (restores and re-runs take a moment). */
  async settled(what: string, ms = 30_000): Promise<void> {
    const want = modelLines(this.model);
    let last: string[] | null = null;
    try {
      await waitFor(() => {
        last = this.truth();
        return JSON.stringify(last) === JSON.stringify(want);
      }, ms, what);
    } catch (e) {
      throw new Error(`${what}: the server does not hold what the user had.\nwant:\n  ${want.join('\n  ')}\ngot:\n  ${(last ?? ['(no answer)']).join('\n  ')}`, { cause: e });
    }
  }

  /** Journal entries at or after `sinceMs` (Unix ms). */
  async journal(sinceMs: number): Promise<Entry[]> {
    return (await journalOf(this.s)).filter((e) => Date.parse(e.at) >= sinceMs);
  }

  /** Wait until `atLeast` entries since `sinceMs` match; the error carries them. */
  async journalSince(sinceMs: number, pick: (e: Entry) => boolean, what: string, ms = 30_000, atLeast = 1): Promise<Entry[]> {
    let seen: Entry[] = [];
    try {
      return await waitFor(async () => {
        seen = await this.journal(sinceMs);
        const found = seen.filter(pick);
        return found.length >= atLeast ? found : null;
      }, ms, what);
    } catch (e) {
      throw new Error(`${(e as Error).message}\njournal since the round began:\n${seen.map((x) => JSON.stringify(x)).join('\n')}`, { cause: e });
    }
  }

  /** The shell of `ref` drew its prompt. */
  async atPrompt(ref: PaneRef): Promise<void> {
    await waitFor(() => this.s.tmux('display', '-p', '-t', target(ref), '#{cursor_x}').trim() !== '0', 15_000, `a prompt in ${target(ref)}`);
  }

  /** The user runs `tail -f` on the log in `ref`. */
  async runTail(ref: PaneRef): Promise<void> {
    this.s.tmux('send-keys', '-t', target(ref), '-l', `tail -f ${this.log}`);
    this.s.tmux('send-keys', '-t', target(ref), 'Enter');
    panes(this.model).find((p) => p.session === ref.session && p.window === ref.window && p.pane === ref.pane)!.model.program = 'tail';
  }

  /** The user changes directory in `ref`'s shell. */
  cd(ref: PaneRef, dir: string): void {
    this.s.tmux('send-keys', '-t', target(ref), '-l', `cd ${dir}`);
    this.s.tmux('send-keys', '-t', target(ref), 'Enter');
    panes(this.model).find((p) => p.session === ref.session && p.window === ref.window && p.pane === ref.pane)!.model.cwd = dir;
  }

  split(ref: PaneRef): void {
    const dir = this.dir();
    this.s.tmux('split-window', '-d', '-t', target(ref), '-c', dir);
    split(this.model, ref, dir);
  }

  newWindow(session: string): void {
    const dir = this.dir();
    const name = this.nextWindowName();
    const index = Number(this.s.tmux('new-window', '-d', '-t', `${session}:`, '-n', name, '-c', dir, '-P', '-F', '#{window_index}').trim());
    newWindow(this.model, session, index, name, dir);
  }

  /** The newest checkpoint file (ids sort by time). */
  newestCheckpointFile(): string {
    const dir = join(this.storeDir, 'checkpoints');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    if (!files.length) throw new Error(`Expected a checkpoint in ${dir}, got none`);
    return join(dir, files.at(-1)!);
  }

  /** `tsession save` by hand; its checkpoint id. */
  async saveByHand(): Promise<string> {
    const r = await runCli(this.s, ['save', '--json']);
    if (r.code !== 0) throw new Error(`Expected tsession save to succeed, got exit ${r.code}: ${r.stderr}`);
    return r.stdout.trim();
  }
}
