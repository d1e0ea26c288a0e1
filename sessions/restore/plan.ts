/**
 * Plans the restore of checkpointed sessions as tmux commands. Pure: the
 * executor (transaction.ts) supplies what it learned about the machine and the
 * server, and `--dry-run` prints this plan unchanged.
 *
 * Each session is built under a temporary name in one batch, verified, then
 * renamed into place. Panes are created in saved order by splitting the
 * active (newest) pane, so pane i of the new window takes leaf i of the
 * saved layout string.
 *
 * Shared windows are built once. A session saved in a group whose other
 * member is restored first is not built: once that member has its final
 * name, `new-session -t` makes it a member of the group, so it shares those
 * windows as before. It joins a running member of its group the same way,
 * but only under its own name and when the running group has the saved
 * windows. A window linked into several sessions (same window id) is built
 * in the first and linked into the others.
 */
import type { PaneRecord, SessionRecord, WindowRecord } from '../../checkpoints/schema.js';
import { paneName } from '../../checkpoints/words.js';
import { programName } from '../proc/program-name.js';
import { decideRerun, type RerunRule } from './rerun-policy.js';
import { quoteCommandLine, shellFamily } from './shell-quote.js';
import { escapeFormat, type TmuxCommand } from '../tmux/argv.js';
import { gatePrintArgs, PENDING_OPTION } from '../tmux/formats.js';
import { encodePending, gateArgv } from '../live/pending.js';

/** One session to restore. */
export interface RestoreTarget {
  readonly record: SessionRecord;
  /** Final session name (the saved one, or --as). */
  readonly name: string;
  /** Temporary name it is built under. */
  readonly tmpName: string;
  /** Live session id to kill before renaming (--replace), if any. */
  readonly replaceId?: string;
}

/** What the executor learned; the planner asks, never probes. */
export interface PlanContext {
  /** Server options in effect (read after the server is up). */
  readonly baseIndex: number;
  readonly paneBaseIndex: number;
  /** Nearest existing directory for a saved cwd (itself when it exists). */
  nearestDir(path: string): string;
  /** argv to start for a saved shell, after the fallback ladder, with a note when it fell back. */
  resolveShell(pane: PaneRecord): { argv: readonly string[]; note?: string };
  /** Whether the pane has saved contents to show before its shell starts. */
  hasContents(pane: PaneRecord): boolean;
  /** The title tmux gives a new pane (the host name): a saved title equal to it needs no command. */
  readonly defaultTitle: string;
  readonly rules: readonly RerunRule[];
  readonly noCommands: boolean;
  /** Running sessions that stay (not replaced), by session group name. */
  readonly liveGroups?: ReadonlyMap<string, LiveGroup>;
  /**
   * Mark panes with a gate or a command as pending (live/pending.ts) until
   * the restore is done with them: the checkpoint they come from, and the
   * marks' deadline. Absent: no marks.
   */
  readonly pending?: { readonly checkpointId: string; readonly untilMs: number };
}

/** A running session group: one member (its stored name) and the windows the group shares. */
export interface LiveGroup {
  readonly member: string;
  readonly windows: readonly { readonly index: number; readonly name: string }[];
}

/** Keys typed into a pane once its shell is ready. */
export interface TypedCommand {
  readonly session: string;
  readonly windowIndex: number;
  /** Position of the pane in its window (0-based, saved order). */
  readonly position: number;
  readonly text: string;
  /** True when the command is allowlisted and re-run; false: typed for the user to confirm. */
  readonly enter: boolean;
  readonly why: string;
  /** The pane as a person names it, under the session's restored name (`api:1.2`); `session` is the temporary one. */
  readonly where: string;
}

/** The whole plan. */
export interface RestorePlan {
  /** Creates every temporary session; one tmux invocation. */
  readonly build: TmuxCommand[];
  /** Replaces/renames into place after verification; one invocation. */
  readonly finalize: TmuxCommand[];
  /**
   * After finalize, per session made a member of a group instead of built:
   * its commands (new-session -t, then its current and last window). Run
   * apart: nothing left to roll back by then, so a failure is a note.
   */
  readonly joins: readonly { readonly name: string; readonly commands: TmuxCommand[] }[];
  /** Removes what `build` created; run on any failure. */
  readonly rollback: TmuxCommand[];
  readonly typing: TypedCommand[];
  /** Pane options to set last (after the gates' Enters and the typing). */
  readonly options: PaneOptionSet[];
  /** Panes started behind a gate, by the number their creation command prints (see gatePrintArgs in tmux/formats.ts). */
  readonly gates: PaneRecord[];
  /** Things a person should know: cwd or shell fallbacks, names tmux will change. */
  readonly notes: string[];
  /** Targets not built but made members of a session group by `joins` (nothing to verify). */
  readonly grouped: readonly RestoreTarget[];
}

// The gate's argv lives with the rule that recognises it in saves.
export { GATE_NAME, GATE_SCRIPT } from '../live/pending.js';

function paneStart(pane: PaneRecord, ctx: PlanContext, notes: string[], where: string): string[] {
  const { argv, note } = ctx.resolveShell(pane);
  if (note) notes.push(`${where}: ${note}`);
  // With two or more arguments tmux execs them directly (no shell string).
  const start = argv.length > 1 ? argv : [...argv, '-i'];
  return ctx.hasContents(pane) ? ['--', ...gateArgv(start)] : ['--', ...start];
}

function paneCwd(pane: PaneRecord, ctx: PlanContext, notes: string[], where: string): string {
  const dir = ctx.nearestDir(pane.cwd.path);
  if (dir !== pane.cwd.path) notes.push(`${where}: ${pane.cwd.path} is gone; starting in ${dir}`);
  return dir;
}

function typedFor(
  pane: PaneRecord,
  ctx: PlanContext,
  session: string,
  windowIndex: number,
  position: number,
  notes: string[],
  where: string,
): TypedCommand | null {
  if (ctx.noCommands || pane.foreground.kind !== 'job') return null;
  const argv = pane.foreground.argv;
  if (!argv) {
    notes.push(`${where}: ${pane.foreground.command} was running but its command line was unreadable; not restored`);
    return null;
  }
  const shell = programName(ctx.resolveShell(pane).argv[0] ?? 'sh');
  const text = quoteCommandLine(argv, shellFamily(shell));
  if (text === null) {
    notes.push(`${where}: the command line holds control characters ${shell} cannot take; not typed`);
    return null;
  }
  // Only a command line read from /proc is proven; one read from a file (an import) is typed at most.
  const decision: ReturnType<typeof decideRerun> =
    pane.foreground.source === 'proc' ? decideRerun(argv, ctx.rules) : { action: 'type', reason: 'not read from /proc: unproven' };
  return decision.action === 'run'
    ? { session, windowIndex, position, text, enter: true, why: `re-run (allowlisted: ${decision.rule})`, where }
    : { session, windowIndex, position, text, enter: false, why: `typed, not run (${decision.reason})`, where };
}

/** What planning a pane adds besides its commands. */
interface PaneOutputs {
  readonly notes: string[];
  readonly typing: TypedCommand[];
  readonly gates: PaneRecord[];
  readonly options: PaneOptionSet[];
}

/** The pane options a restore sets again (README "Restoring a session"). */
export type PaneOptionName = 'synchronize-panes' | 'remain-on-exit';

/**
 * Options of one built pane, set once the restore is done with its panes:
 * with synchronize-panes on, the Enter that opens a gate and a typed saved
 * command would reach every synchronized pane of the window.
 */
export interface PaneOptionSet {
  readonly session: string;
  readonly windowIndex: number;
  /** Position of the pane in its window (0-based, saved order). */
  readonly position: number;
  readonly options: readonly (readonly [PaneOptionName, string])[];
  /** The pane as a person names it (`api:1.2`). */
  readonly where: string;
}

function planWindow(w: WindowRecord, t: RestoreTarget, first: boolean, ctx: PlanContext, out: PaneOutputs): TmuxCommand[] {
  const { notes, typing, gates } = out;
  const cmds: TmuxCommand[] = [];
  const win = `${t.tmpName}:${w.index}`;
  w.panes.forEach((pane, i) => {
    const where = paneName(t.name, w.index, i);
    const cwd = paneCwd(pane, ctx, notes, where);
    const start = paneStart(pane, ctx, notes, where);
    const print = ctx.hasContents(pane) ? gatePrintArgs(gates.push(pane) - 1) : [];
    if (i === 0 && first) {
      const size = ['-x', String(w.panes.length ? windowWidth(w) : 80), '-y', String(windowHeight(w))];
      cmds.push(['new-session', '-d', ...print, '-s', t.tmpName, ...size, '-n', escapeFormat(w.name), '-c', escapeFormat(cwd), ...start]);
      if (w.index !== ctx.baseIndex) cmds.push(['move-window', '-s', `${t.tmpName}:${ctx.baseIndex}`, '-t', win]);
    } else if (i === 0) {
      cmds.push(['new-window', '-d', ...print, '-t', win, '-n', escapeFormat(w.name), '-c', escapeFormat(cwd), ...start]);
    } else {
      // Keep room for the next split: even out the panes made so far.
      if (i >= 3) cmds.push(['select-layout', '-t', win, 'tiled']);
      cmds.push(['split-window', ...print, '-t', win, '-c', escapeFormat(cwd), ...start]);
    }
    // The new pane is the window's active one here, so `win` targets it.
    if (pane.title !== ctx.defaultTitle) cmds.push(['select-pane', '-t', win, '-T', escapeFormat(pane.title)]);
    const options = paneOptionValues(pane);
    if (options.length) out.options.push({ session: t.tmpName, windowIndex: w.index, position: i, options, where });
    const typed = typedFor(pane, ctx, t.tmpName, w.index, i, notes, where);
    if (typed) typing.push(typed);
    // Saves record this pane as the saved one until its gate opens and its command is typed.
    if (ctx.pending && (print.length || typed)) {
      cmds.push(['set-option', '-p', '-t', win, PENDING_OPTION, encodePending({ ...ctx.pending, paneId: pane.id })]);
    }
  });
  if (w.automaticRename) cmds.push(['set-option', '-w', '-t', win, 'automatic-rename', 'on']);
  cmds.push(['select-layout', '-t', win, w.layout]);
  const paneTarget = (pos: number) => `${win}.${ctx.paneBaseIndex + pos}`;
  const lastPos = w.panes.findIndex((p) => p.last === true && !p.active);
  if (lastPos >= 0) cmds.push(['select-pane', '-t', paneTarget(lastPos)]);
  const activePos = Math.max(0, w.panes.findIndex((p) => p.active));
  cmds.push(['select-pane', '-t', paneTarget(activePos)]);
  if (w.zoomed && w.panes.length > 1) cmds.push(['resize-pane', '-Z', '-t', paneTarget(activePos)]);
  return cmds;
}

/**
 * The saved pane options to set again, as [option, value] (pane options
 * since tmux 3.2): only those that are on, so a checkpoint without them
 * (or from before they were recorded) leaves tmux's defaults.
 */
export function paneOptionValues(pane: PaneRecord): (readonly [PaneOptionName, string])[] {
  const o = pane.options;
  const out: (readonly [PaneOptionName, string])[] = [];
  if (o?.synchronizePanes) out.push(['synchronize-panes', 'on']);
  if (o?.remainOnExit) out.push(['remain-on-exit', o.remainOnExit]);
  return out;
}

/** Width of a window from its layout string ("csum,WxH,…"), else its panes. */
export function windowWidth(w: WindowRecord): number {
  const m = /^[0-9a-f]{4},(\d+)x(\d+)/.exec(w.layout);
  return m ? Number(m[1]) : Math.max(...w.panes.map((p) => p.width));
}
/** Height of a window from its layout string. */
export function windowHeight(w: WindowRecord): number {
  const m = /^[0-9a-f]{4},(\d+)x(\d+)/.exec(w.layout);
  return m ? Number(m[2]) : Math.max(...w.panes.map((p) => p.height));
}

/** Where a target joins a group instead of being built: the member's stored name, and whether it is running. */
interface Leader {
  readonly member: string;
  readonly live: boolean;
}

/**
 * The session each target joins instead of being built (its group's first
 * member in this restore, else a running member that has the saved
 * windows), keyed by target; notes say why a running group was not joined.
 */
export function groupLeaders(
  targets: readonly RestoreTarget[],
  liveGroups: ReadonlyMap<string, LiveGroup> = new Map(),
  notes: string[] = [],
): Map<RestoreTarget, Leader> {
  const leaders = new Map<RestoreTarget, Leader>();
  const firstBuilt = new Map<string, RestoreTarget>();
  for (const t of targets) {
    const group = t.record.group;
    if (!group) continue;
    const built = firstBuilt.get(group);
    if (built) {
      leaders.set(t, { member: tmuxStoredName(built.name), live: false });
      continue;
    }
    const running = liveGroups.get(group);
    const what = `session ${JSON.stringify(t.name)}`;
    if (running && t.name !== t.record.name) notes.push(`${what}: restored on its own, a copy (--as), not in the running group ${JSON.stringify(group)}`);
    else if (running && !sameWindows(t.record.windows, running.windows)) {
      notes.push(`${what}: its group ${JSON.stringify(group)} is running with other windows; restored on its own`);
    } else if (running) {
      leaders.set(t, { member: running.member, live: true });
      continue;
    }
    firstBuilt.set(group, t);
  }
  return leaders;
}

/** The same window indexes, and the same names where a name is not automatic. */
function sameWindows(saved: readonly WindowRecord[], live: LiveGroup['windows']): boolean {
  if (saved.length !== live.length) return false;
  const byIndex = new Map(live.map((w) => [w.index, w.name]));
  return saved.every((w) => byIndex.has(w.index) && (w.automaticRename || byIndex.get(w.index) === w.name));
}

/** Plan the restore of `targets`. */
export function planRestore(targets: readonly RestoreTarget[], ctx: PlanContext): RestorePlan {
  const build: TmuxCommand[] = [];
  const finalize: TmuxCommand[] = [];
  const joins: { name: string; commands: TmuxCommand[] }[] = [];
  const rollback: TmuxCommand[] = [];
  const typing: TypedCommand[] = [];
  const gates: PaneRecord[] = [];
  const options: PaneOptionSet[] = [];
  const notes: string[] = [];
  const leaders = groupLeaders(targets, ctx.liveGroups, notes);
  /** Window id → where it already is (`tmp:index`, or a running group's), for links. */
  const builtAt = new Map<string, string>();
  for (const [t, leader] of leaders) {
    if (!leader.live) continue;
    for (const w of t.record.windows) if (!builtAt.has(w.id)) builtAt.set(w.id, `=${leader.member}:${w.index}`);
  }
  for (const t of targets) {
    const windows = [...t.record.windows].sort((a, b) => a.index - b.index);
    const last = windows.find((w) => w.last);
    const active = windows.find((w) => w.active) ?? windows[0]!;
    const stored = tmuxStoredName(t.name);
    if (stored !== t.name) notes.push(`session ${JSON.stringify(t.name)}: tmux will store the name as ${JSON.stringify(stored)}`);
    if (t.replaceId) finalize.push(['kill-session', '-t', t.replaceId]);
    const leader = leaders.get(t);
    if (leader !== undefined) {
      // After every rename: the group is named after the session it is made from.
      const commands: TmuxCommand[] = [['new-session', '-d', '-t', `=${leader.member}`, '-s', escapeFormat(t.name)]];
      if (last && last !== active) commands.push(['select-window', '-t', `=${stored}:${last.index}`]);
      commands.push(['select-window', '-t', `=${stored}:${active.index}`]);
      joins.push({ name: t.name, commands });
      continue;
    }
    build.push(...planSessionWindows(windows, t, builtAt, ctx, { notes, typing, gates, options }));
    if (last && last !== active) build.push(['select-window', '-t', `${t.tmpName}:${last.index}`]);
    build.push(['select-window', '-t', `${t.tmpName}:${active.index}`]);
    rollback.push(['kill-session', '-t', `=${t.tmpName}`]);
    finalize.push(['rename-session', '-t', `=${t.tmpName}`, '--', escapeFormat(t.name)]);
  }
  return { build, finalize, joins, rollback, typing, options, gates, notes, grouped: [...leaders.keys()] };
}

/**
 * A built session's windows: its own, and links to windows an earlier
 * session of this restore built (or a running group has). The session is
 * created with its first own window; when it has none, with a stand-in
 * (`cat`, no shell) moved to the first link's index, which that link
 * replaces (-k). Not kill-window: with renumber-windows on, that renumbers
 * the links.
 */
function planSessionWindows(
  windows: readonly WindowRecord[],
  t: RestoreTarget,
  builtAt: Map<string, string>,
  ctx: PlanContext,
  out: PaneOutputs,
): TmuxCommand[] {
  const cmds: TmuxCommand[] = [];
  const firstOwn = windows.find((w) => !builtAt.has(w.id));
  if (firstOwn) {
    cmds.push(...planWindow(firstOwn, t, true, ctx, out));
    builtAt.set(firstOwn.id, `${t.tmpName}:${firstOwn.index}`);
  } else {
    const at = windows[0]!.index;
    cmds.push(['new-session', '-d', '-s', t.tmpName, '--', 'cat']);
    if (at !== ctx.baseIndex) cmds.push(['move-window', '-s', `${t.tmpName}:${ctx.baseIndex}`, '-t', `${t.tmpName}:${at}`]);
  }
  for (const w of windows) {
    if (w === firstOwn) continue;
    const at = builtAt.get(w.id);
    if (at !== undefined) {
      const replaces = !firstOwn && w === windows[0] ? ['-k'] : [];
      cmds.push(['link-window', '-d', ...replaces, '-s', at, '-t', `${t.tmpName}:${w.index}`]);
    } else {
      cmds.push(...planWindow(w, t, false, ctx, out));
      builtAt.set(w.id, `${t.tmpName}:${w.index}`);
    }
  }
  return cmds;
}

/**
 * The name tmux 3.3 stores for a requested session name (session.c:
 * session_check_name): `.`/`:` become `_`, tab/newline/backslash are
 * written as escapes, a leading `$` is escaped.
 */
export function tmuxStoredName(name: string): string {
  let out = '';
  for (const ch of name) {
    if (ch === '.' || ch === ':') out += '_';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\\') out += '\\\\';
    else out += ch;
  }
  return out.startsWith('$') ? `\\${out}` : out;
}
