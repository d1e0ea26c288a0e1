/**
 * Doctor: every condition tsession needs, checked one by one — tmux, its
 * server and socket, the state dir, the checkpoints, the config file, shell
 * integration in live panes, the watch daemon, node-pty, the PTY host's
 * crash-loop breaker — each with what to
 * do when it is not right. Reads only; changes nothing. Non-goals: fixing
 * (each check names the fix), printing.
 */
import { constants } from 'node:fs';
import { access, readdir, readFile, stat, statfs } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ptyHostLogFile, ptyHostStartsFile, systemdUserDir } from '../../checkpoints/paths.js';
import { errorMessage } from '../../checkpoints/result.js';
import { checkNativePty } from '../../sessions/pty/native-check.js';
import { readPaneNonce } from '../../sessions/shell-integration/nonce-store.js';
import { assertSupportedVersion, tmuxBinaryVersion } from '../../sessions/tmux/client.js';
import { TmuxError } from '../../sessions/tmux/errors.js';
import { readPanePids } from '../../sessions/tmux/queries.js';
import { standingRefusal } from '../pty-host/start-breaker.js';
import { readStartHistory } from '../pty-host/start-history.js';
import type { Context } from '../context.js';
import { watchStatus } from './status.js';
import { tsessionCommand } from './command-words.js';

/** How a check came out: `fail` makes `tsession doctor` exit non-zero; `warn` is worth knowing, not broken. */
export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One check's verdict: what was found and, unless ok, what to do. */
export interface DoctorCheck {
  readonly id: string;
  readonly status: CheckStatus;
  readonly summary: string;
  readonly fix: string | null;
}

/** Thresholds. */
export const DOCTOR_LIMITS = {
  /** Free space under which saves are about to fail. */
  failFreeBytes: 16 * 1024 * 1024,
  /** Free space worth a warning. */
  warnFreeBytes: 256 * 1024 * 1024,
  /** How long tmux may take to answer. */
  tmuxTimeoutMs: 3000,
} as const;

const ok = (id: string, summary: string): DoctorCheck => ({ id, status: 'ok', summary, fix: null });
const warn = (id: string, summary: string, fix: string): DoctorCheck => ({ id, status: 'warn', summary, fix });
const fail = (id: string, summary: string, fix: string): DoctorCheck => ({ id, status: 'fail', summary, fix });
const code = (e: unknown): string | undefined => (e as NodeJS.ErrnoException).code;
const mode = (m: number): string => (m & 0o777).toString(8).padStart(3, '0');
const mib = (n: number): string => `${Math.round(n / (1024 * 1024))} MiB`;

async function checkTmux(): Promise<DoctorCheck> {
  try {
    const version = await tmuxBinaryVersion();
    assertSupportedVersion(version);
    return ok('tmux', `tmux ${version} installed`);
  } catch (e) {
    if (e instanceof TmuxError && e.kind === 'not-installed') return fail('tmux', 'tmux is not installed (not on PATH)', 'install tmux 3.2 or newer');
    if (e instanceof TmuxError && e.kind === 'too-old') return fail('tmux', errorMessage(e), 'install tmux 3.2 or newer');
    return fail('tmux', `tmux -V failed: ${errorMessage(e)}`, 'check the tmux on PATH runs');
  }
}

/** The server's socket and its directory: tmux refuses a directory others can reach; so should we. */
async function checkSocket(ctx: Context, uid: number): Promise<DoctorCheck> {
  const socket = ctx.server.socketPath;
  const dir = dirname(socket);
  try {
    const d = await stat(dir);
    if (d.uid !== uid || (d.mode & 0o077) !== 0) {
      return fail('socket', `the socket directory ${dir} is mode ${mode(d.mode)} owned by uid ${d.uid}`, `chmod 700 ${dir} (tmux refuses it otherwise)`);
    }
  } catch (e) {
    if (code(e) === 'ENOENT') return warn('socket', `no tmux server on ${ctx.server.label} (${dir} does not exist)`, 'start one: tmux');
    return fail('socket', `cannot read ${dir}: ${code(e) ?? errorMessage(e)}`, `check the permissions of ${dir}`);
  }
  try {
    const s = await stat(socket);
    if (!s.isSocket()) return fail('socket', `${socket} is not a socket`, `remove ${socket}, then start tmux`);
    // tmux makes it 0660 and relies on the 0700 directory; only others' bits would be wrong.
    if (s.uid !== uid || (s.mode & 0o006) !== 0) {
      return fail('socket', `the socket ${socket} is mode ${mode(s.mode)} owned by uid ${s.uid}`, `chmod o-rw ${socket}`);
    }
  } catch (e) {
    if (code(e) === 'ENOENT') return warn('socket', `no tmux server on ${ctx.server.label}`, 'start one: tmux');
    return fail('socket', `cannot read ${socket}: ${code(e) ?? errorMessage(e)}`, `check the permissions of ${socket}`);
  }
  return ok('socket', `socket ${socket} is private`);
}

/** The server answers, and which of its panes' shells loaded shell integration (a nonce file per shell). */
async function checkServerAndShells(ctx: Context, socketOk: boolean): Promise<DoctorCheck[]> {
  if (!socketOk) return [];
  let pids: Map<string, number>;
  try {
    pids = await readPanePids(ctx.server, { env: ctx.env, timeoutMs: DOCTOR_LIMITS.tmuxTimeoutMs });
  } catch (e) {
    const kind = e instanceof TmuxError ? e.kind : null;
    if (kind === 'no-server') return [warn('server', `no tmux server on ${ctx.server.label} (a stale socket)`, 'start one: tmux')];
    return [fail('server', `the tmux server on ${ctx.server.label} does not answer: ${errorMessage(e)}`, tsessionCommand(ctx, 'unfreeze', '--dry-run'))];
  }
  const server = ok('server', `the tmux server on ${ctx.server.label} answers (${pids.size} ${pids.size === 1 ? 'pane' : 'panes'})`);
  if (pids.size === 0) return [server];
  const integrated = [...pids.values()].filter((pid) => readPaneNonce(pid, ctx.env) !== undefined).length;
  const shells =
    integrated > 0
      ? ok('shell-integration', `shell integration is loaded in ${integrated} of ${pids.size} panes`)
      : warn(
          'shell-integration',
          `no pane's shell has loaded shell integration (last commands are not recorded)`,
          'tsession shell-integration bash > ~/.config/tsession/tsession.bash and source it from ~/.bashrc (or zsh, fish)',
        );
  return [server, shells];
}

async function checkStateDir(ctx: Context, uid: number): Promise<DoctorCheck[]> {
  const dir = ctx.paths.stateDir;
  let s;
  try {
    s = await stat(dir);
  } catch (e) {
    if (code(e) === 'ENOENT') return [ok('state-dir', `${dir} does not exist yet (the first save creates it)`)];
    return [fail('state-dir', `cannot read ${dir}: ${code(e) ?? errorMessage(e)}`, `check the permissions of ${dir}`)];
  }
  const out: DoctorCheck[] = [];
  if (!s.isDirectory()) return [fail('state-dir', `${dir} is not a directory`, `move it away, or pass --state-dir`)];
  if (s.uid !== uid) out.push(fail('state-dir', `${dir} is owned by uid ${s.uid}, not you`, `chown -R ${uid} ${dir}`));
  else if ((s.mode & 0o077) !== 0) out.push(fail('state-dir', `${dir} is mode ${mode(s.mode)}: others can read your checkpoints`, `chmod 700 ${dir}`));
  else {
    try {
      await access(dir, constants.W_OK);
      out.push(ok('state-dir', `${dir} is private and writable`));
    } catch {
      out.push(fail('state-dir', `${dir} is not writable`, `chmod u+w ${dir}`));
    }
  }
  try {
    const fs = await statfs(dir);
    const free = fs.bavail * fs.bsize;
    if (free < DOCTOR_LIMITS.failFreeBytes) out.push(fail('free-space', `${mib(free)} free under ${dir}`, 'free some space: saves fail on a full disk'));
    else if (free < DOCTOR_LIMITS.warnFreeBytes) out.push(warn('free-space', `${mib(free)} free under ${dir}`, 'free some space before saves fail'));
    else out.push(ok('free-space', `${mib(free)} free under ${dir}`));
  } catch (e) {
    out.push(warn('free-space', `cannot tell the free space under ${dir}: ${code(e) ?? errorMessage(e)}`, `df ${dir}`));
  }
  return out;
}

/** Every checkpoint of this server read with every check (schema, checksum, blobs). */
async function checkCheckpoints(ctx: Context): Promise<DoctorCheck> {
  let listed;
  try {
    listed = await (await ctx.store()).list();
  } catch (e) {
    return fail('checkpoints', `cannot list checkpoints: ${errorMessage(e)}`, `check ${ctx.storeDir}`);
  }
  if (!listed.ok) return fail('checkpoints', listed.error.message, `check ${ctx.storeDir}`);
  const entries = listed.value;
  if (entries.length === 0) return warn('checkpoints', `no checkpoints of ${ctx.server.label} yet`, `${tsessionCommand(ctx, 'save')} (or run ${tsessionCommand(ctx, '--watch')})`);
  const store = await ctx.store();
  const bad: string[] = [];
  for (const e of entries) {
    const r = await store.verify(e.id);
    if (!r.ok) bad.push(`${e.id} (${r.error.reason})`);
  }
  if (bad.length) {
    return fail(
      'checkpoints',
      `${bad.length} of ${entries.length} checkpoints are damaged: ${bad.slice(0, 3).join(', ')}${bad.length > 3 ? ', …' : ''}`,
      'they are skipped on restore; delete them with x in the interface (tsession checkpoints --verify lists them)',
    );
  }
  return ok('checkpoints', `${entries.length} ${entries.length === 1 ? 'checkpoint' : 'checkpoints'}, all readable`);
}

async function checkConfig(ctx: Context): Promise<DoctorCheck> {
  const file = ctx.paths.configFile;
  try {
    await stat(file);
  } catch (e) {
    if (code(e) === 'ENOENT') return ok('config', `no config file (${file}): defaults`);
  }
  try {
    await ctx.config();
    return ok('config', `${file} is valid`);
  } catch (e) {
    return fail('config', errorMessage(e), `edit ${file} (README: Configuration)`);
  }
}

/** Units in the user's systemd dir that run tsession for this server's socket. */
async function unitsFor(ctx: Context): Promise<string[]> {
  const dir = systemdUserDir(ctx.env, ctx.paths.home);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.service'));
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const n of names) {
    const text = await readFile(join(dir, n), 'utf8').catch(() => '');
    if (/ExecStart=.*tsession/.test(text) && text.includes(ctx.server.socketPath)) out.push(join(dir, n));
  }
  return out;
}

async function checkDaemon(ctx: Context): Promise<DoctorCheck[]> {
  const [status, units] = await Promise.all([watchStatus(ctx), unitsFor(ctx)]);
  const out: DoctorCheck[] = [];
  const unitNote = units.length ? `; systemd unit ${units.join(', ')}` : '';
  if (status.watching) out.push(ok('watch', `a watch daemon (pid ${status.holder?.pid}) follows ${ctx.server.label}${unitNote}`));
  else if (units.length) out.push(warn('watch', `no watch daemon runs, though ${units.join(', ')} is installed`, 'systemctl --user enable --now <that unit>; journalctl --user -u <that unit> says why it stopped'));
  else {
    out.push(
      warn(
        'watch',
        `no watch daemon follows ${ctx.server.label} (crashes are not noticed, changes not saved)`,
        `${tsessionCommand(ctx, '--watch', '--print-unit')} > ~/.config/systemd/user/tsession-watch.service && systemctl --user enable --now tsession-watch (or set -g @tsession-watch on with tsession.tmux)`,
      ),
    );
  }
  if (status.lastSaveFailed) {
    out.push(fail('last-save', `the daemon's last save failed: ${status.lastSaveFailed.detail ?? 'no reason given'}`, `${tsessionCommand(ctx, 'log')}; ${tsessionCommand(ctx, 'doctor')} again once fixed`));
  } else if (status.configInvalid) {
    out.push(fail('last-save', `the daemon runs on its last good config: ${status.configInvalid.detail ?? ''}`, `fix ${ctx.paths.configFile}`));
  } else if (status.lastSave) {
    out.push(ok('last-save', `the daemon's last save worked (${status.lastSave.at})`));
  }
  return out;
}

async function checkPty(): Promise<DoctorCheck> {
  const r = await checkNativePty();
  return r.ok
    ? ok('node-pty', "node-pty's native module loads")
    : fail('node-pty', `node-pty's native module does not load: ${r.reason}`, 'npm rebuild node-pty (needs python3, make and a C++ compiler)');
}

/** Only when it keeps the PTY host down: its crash-loop breaker, open. */
async function checkPtyHostBreaker(ctx: Context): Promise<DoctorCheck[]> {
  const { history } = await readStartHistory(ptyHostStartsFile(ctx.paths.stateDir));
  const now = Date.now();
  const open = standingRefusal(history, now);
  if (!open) return [];
  const wait = Math.max(1, Math.ceil((open.until - now) / 1000));
  return [
    fail(
      'pty-host',
      `the PTY host is left down by its crash-loop breaker: ${open.crashes.length} failed starts within ${open.windowMs / 1000} s (it may start again in ${wait} s)`,
      `read ${ptyHostLogFile(ctx.paths.stateDir)} (and tsession log --pty); tsession pty-host in a terminal starts it by hand`,
    ),
  ];
}

/** Run every check, in the order a person would fix them. */
export async function runDoctor(ctx: Context): Promise<DoctorCheck[]> {
  const uid = process.getuid?.() ?? 0;
  const [tmux, socket, pty] = await Promise.all([checkTmux(), checkSocket(ctx, uid), checkPty()]);
  const live = tmux.status === 'ok' ? await checkServerAndShells(ctx, socket.status === 'ok') : [];
  const state = await checkStateDir(ctx, uid);
  return [tmux, socket, ...live, ...state, await checkCheckpoints(ctx), await checkConfig(ctx), ...(await checkDaemon(ctx)), pty, ...(await checkPtyHostBreaker(ctx))];
}
