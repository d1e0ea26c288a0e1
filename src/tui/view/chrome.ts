/**
 * The frame around the panels: the header, the panel tabs, the filter
 * prompt, the status line (socket, state dir, last result), the help
 * overlay (generated from the key table), a dialog, and the message shown
 * when the terminal is too small.
 */
import { bindingsOf, type KeyScope } from '../key-bindings.js';
import type { Snapshot, TuiInfo } from '../model.js';
import type { Dialog, Form, Panel, Prompt } from '../state.js';
import type { PanelLines } from './panels.js';
import { BADGES, TONES, type Tone } from '../theme.js';
import { fitLine, seg, type Line, type Seg } from './line.js';
import { PTY_STATE_COLORS, type PtyRow, type SessionRow } from './rows.js';
import { age, count, visible } from '../../../checkpoints/words.js';
import { fit, wrap } from './text.js';

/** Smallest usable terminal. */
export const MIN_SIZE = { columns: 60, rows: 12 } as const;

/**
 * The server as a person would name it to tmux: `-L work` when its socket
 * sits in tmux's own directory (whatever chose it: `-L`, `$TMUX`, the
 * default), else `-S /path`. Launched inside tmux, this names the socket
 * rather than saying `$TMUX`.
 */
export function serverName(info: Pick<TuiInfo, 'socketPath'>): string {
  const m = /\/tmux-\d+\/([^/]+)$/.exec(info.socketPath);
  if (m) return m[1] === 'default' ? 'the default socket' : `-L ${visible(m[1]!)}`;
  return `-S ${visible(info.socketPath)}`;
}

/** The command that starts a server on this socket with a first session. */
export function startCommand(info: Pick<TuiInfo, 'socketPath'>): string {
  const name = serverName(info);
  return `tmux ${name === 'the default socket' ? '' : `${name} `}new -s work`;
}

/**
 * Only PTY sessions and no tmux server (none running, none remembered): then
 * tmux gets one quiet mention in the header, not counts, a warning and a socket.
 */
export const onlyPty = (snapshot: Snapshot | null, tmuxSessions: number, ptySessions: number): boolean =>
  snapshot !== null && snapshot.report.server.state === 'absent' && tmuxSessions === 0 && ptySessions > 0;

/** The PTY states the header counts (running goes without saying, as healthy does), in `tsession list`'s words. */
const PTY_COUNTED = ['exited', 'revivable', 'host down', 'left down'] as const;

/**
 * "tsession · tmux -L work · 5 sessions, 1 frozen, 2 crashed · 3 pty, 1 exited"
 * (or "1 of 6 sessions", "1 of 3 pty" under a filter) and the help hint.
 * `ptys` are the PTY rows shown and `ptyTotal` all of them (null: no filter).
 * With PTY sessions only and no tmux server: "tsession · 2 pty · no tmux
 * server (tmux -L work)", the one quiet mention of tmux.
 */
export function headerLine(
  info: TuiInfo,
  snapshot: Snapshot | null,
  rows: readonly SessionRow[],
  width: number,
  busy: string | null,
  total: number | null = null,
  ptys: readonly PtyRow[] = [],
  ptyTotal: number | null = null,
): Line {
  const counts: Seg[] = [];
  const name = serverName(info);
  const ptyCount = ptyTotal ?? ptys.length;
  const ptyCounts = (): Seg[] => {
    if (ptyCount === 0) return [];
    const out = [seg(` · ${ptyTotal === null ? '' : `${ptys.length} of `}${ptyCount} pty`)];
    for (const kind of PTY_COUNTED) {
      const k = ptys.filter((p) => p.listing.kind === kind).length;
      if (k) out.push(seg(`, ${k} ${kind}`, { color: PTY_STATE_COLORS[kind], bold: true }));
    }
    return out;
  };
  const ptyOnly = onlyPty(snapshot, total ?? rows.length, ptyCount);
  if (snapshot && ptyOnly) {
    counts.push(...ptyCounts(), seg(` · no tmux server (${name === 'the default socket' ? 'default socket' : `tmux ${name}`})`, { dim: true }));
  } else if (snapshot) {
    const by = new Map<string, number>();
    for (const r of rows) by.set(r.badge, (by.get(r.badge) ?? 0) + 1);
    const n = total ?? rows.length;
    counts.push(seg(` · ${total === null ? '' : `${rows.length} of `}${count(n, 'session')}`));
    for (const state of ['frozen', 'crashed', 'changed'] as const) {
      const k = by.get(state);
      if (k) counts.push(seg(`, ${k} ${state}`, { color: BADGES[state].color, bold: true }));
    }
    counts.push(...ptyCounts());
    const server = snapshot.report.server;
    if (server.state === 'frozen') counts.push(seg(' · SERVER FROZEN', { color: BADGES.frozen.color, bold: true }));
    if (server.state === 'slow') counts.push(seg(' · server slow', { color: 'yellow' }));
    if (server.state === 'absent') counts.push(seg(' · no server running', { color: 'yellow' }));
    // A daemon that cannot save protects nothing: said in red, with why.
    if (snapshot.watcher?.trouble) counts.push(seg(` · watched, ${visible(snapshot.watcher.trouble)}`, { color: 'red', bold: true }));
    else if (snapshot.watcher) counts.push(seg(' · watched', { color: 'green' }));
    else if (snapshot.watcher === null) counts.push(seg(' · not watched', { dim: true }));
  } else {
    counts.push(seg(' · loading…', { dim: true }));
  }
  const right = busy ? `${busy}…  ? help` : '? help';
  const left: Seg[] = [seg(' tsession', { bold: true }), ...(ptyOnly ? [] : [seg(` · tmux ${name === 'the default socket' ? '(default socket)' : name}`)]), ...counts];
  const leftWidth = left.reduce((n, s) => n + [...s.text].length, 0);
  const gap = Math.max(1, width - leftWidth - right.length - 1);
  return fitLine([...left, seg(' '.repeat(gap)), seg(right, { dim: !busy, ...(busy ? { color: 'yellow' as const } : {}) }), seg(' ')], width);
}

const PANEL_NAMES: readonly { panel: Panel; label: string }[] = [
  { panel: 'detail', label: 'detail' },
  { panel: 'timeline', label: 't timeline' },
  { panel: 'journal', label: 'J journal' },
  { panel: 'diff', label: 'd diff' },
  { panel: 'repair', label: 'u unfreeze' },
  { panel: 'progress', label: 'restore' },
];

/** The tab bar over the panel; the focused side is marked. */
export function tabsLine(panel: Panel, focus: 'list' | 'panel', width: number): Line {
  const segs: Seg[] = [seg(focus === 'panel' ? '━━' : '──', { dim: focus !== 'panel' })];
  for (const p of PANEL_NAMES) {
    if ((p.panel === 'repair' || p.panel === 'progress') && p.panel !== panel) continue;
    segs.push(seg(' '), seg(` ${p.label} `, p.panel === panel ? { inverse: true, bold: true } : { dim: true }));
  }
  segs.push(seg(` ${focus === 'panel' ? '(Tab: back to the list)' : '(Tab: focus the panel)'} `, { dim: true }));
  segs.push(seg(focus === 'panel' ? '━━' : '──', { dim: focus !== 'panel' }));
  return fitLine(segs, width);
}

/** The filter prompt (only while filtering or when a filter is kept). */
export function filterLine(filter: string, editing: boolean, width: number): Line {
  return fitLine(
    [seg(' / ', { bold: true, color: 'magenta' }), seg(visible(filter)), seg(editing ? '▏' : '', {}), seg(editing ? '   Enter keeps · Esc clears' : '   (filtered: / edits)', { dim: true })],
    width,
  );
}

/** Two status lines: the last result, then where things live (the tmux socket left out when only PTY sessions exist: `socket` false). */
export function statusLines(
  info: TuiInfo,
  status: { text: string; tone: Tone } | null,
  snapshot: Snapshot | null,
  width: number,
  now: number,
  refreshedAt: number | null = null,
  socket = true,
): Line[] {
  const problem = snapshot?.problem ?? null;
  const first = status
    ? fitLine([seg(' ', {}), seg(visible(status.text), { color: TONES[status.tone], bold: status.tone === 'error' })], width)
    : problem
      ? fitLine([seg(` ${visible(problem)}`, { color: 'red' })], width)
      : fitLine([seg(' ready — ? shows every key', { dim: true })], width);
  const refreshed = snapshot ? ` · updated ${age(now - Math.max(snapshot.at, refreshedAt ?? 0))} ago` : '';
  const second = fitLine([seg(`${socket ? ` socket ${visible(info.socketPath)} ·` : ''} state ${visible(info.stateDir)}${refreshed}`, { dim: true })], width);
  return [first, second];
}

const SCOPE_TITLES: readonly { scope: KeyScope; title: string }[] = [
  { scope: 'main', title: 'Keys' },
  { scope: 'filter', title: 'While filtering' },
  { scope: 'dialog', title: 'In a question' },
  { scope: 'prompt', title: 'Typing a name' },
  { scope: 'form', title: 'In a form (n: a new PTY session)' },
  { scope: 'help', title: 'In this help' },
  { scope: 'global', title: 'Everywhere' },
];

/** The help overlay: every binding of the key table, by scope. */
export function helpLines(width: number): Line[] {
  const out: Line[] = [fitLine([seg(' ↑/↓ scroll · Esc, ? or q close', { dim: true })], width)];
  // As wide as the widest label and a gap: a label never runs into its description.
  const labelWidth = Math.max(...SCOPE_TITLES.flatMap(({ scope }) => bindingsOf(scope).map((b) => [...b.label].length))) + 1;
  const indent = 3 + labelWidth;
  for (const { scope, title } of SCOPE_TITLES) {
    out.push(fitLine([seg(` ${title}`, { bold: true, color: 'magenta' })], width));
    for (const b of bindingsOf(scope)) {
      // Descriptions wrap under themselves: every word of the help stays readable.
      const [first = '', ...rest] = wrap(b.description, Math.max(10, width - indent - 1));
      out.push(fitLine([seg(`   ${fit(b.label, labelWidth)}`, { bold: true }), seg(first)], width));
      for (const more of rest) out.push(fitLine([seg(' '.repeat(indent) + more)], width));
    }
  }
  // Attachment has its own column (ATTACHED), not a badge.
  const shown = Object.values(BADGES);
  out.push(fitLine([seg(' Badges: ', { bold: true }), ...shown.flatMap((b) => [seg(`${b.symbol} ${b.word}`, { color: b.color }), seg('  ')]), seg('· ATTACHED: yes/no', { dim: true })], width));
  return out;
}

/** A question: title, its lines, and the answers it takes. */
export function dialogLines(d: Dialog, width: number): Line[] {
  const color = d.tone === 'danger' ? 'red' : 'yellow';
  const out: Line[] = [fitLine([seg(` ${d.title}`, { bold: true, color })], width)];
  for (const l of d.lines) out.push(fitLine([seg(`   ${visible(l)}`)], width));
  const answers: Seg[] = [seg('   '), seg('[y]', { bold: true, color }), seg(` ${d.answers.yes}   `)];
  if (d.answers.skip) answers.push(seg('[s]', { bold: true }), seg(` ${d.answers.skip}   `));
  answers.push(seg('[n/Esc]', { bold: true }), seg(` ${d.answers.no}`));
  out.push(fitLine([], width), fitLine(answers, width));
  return out;
}

/** A line the person types: the title, the text with a cursor, and what Enter does. */
export function promptLines(p: Prompt, width: number): Line[] {
  return [
    fitLine([seg(` ${visible(p.title)}`, { bold: true, color: 'yellow' })], width),
    fitLine([], width),
    fitLine([seg('   > ', { bold: true }), seg(visible(p.text), { inverse: true }), seg('▏')], width),
    fitLine([], width),
    fitLine([seg(`   ${p.hint}`, { dim: true })], width),
  ];
}

/**
 * A form: its title, one line per field (the one being edited marked, an
 * empty field showing its default dimmed, a choice with every option), the
 * one line saying what is wrong right under its field, and the keys. The
 * edited field is the line kept in view on a short panel.
 */
export function formContent(form: Form, width: number): PanelLines {
  const out: Line[] = [fitLine([seg(` ${visible(form.title)}`, { bold: true, color: 'yellow' })], width)];
  const labelWidth = Math.max(...form.fields.map((f) => f.label.length)) + 2;
  let focusLine: number | null = null;
  const errorLine = () => fitLine([seg(' '.repeat(4 + labelWidth)), seg(`✗ ${visible(form.error!.text)}`, { color: 'red', bold: true })], width);
  form.fields.forEach((f, i) => {
    const here = i === form.focus;
    const wrong = form.error?.field === f.key;
    if (here) focusLine = out.length;
    const head = [seg(here ? ' ▶ ' : '   ', { bold: true }), seg(fit(f.label, labelWidth), { bold: here, ...(wrong ? { color: 'red' as const } : {}) }), seg(' ')];
    if (f.kind === 'text') {
      const cursor = here && !form.busy ? [seg('▏')] : [];
      const value = f.text ? [seg(visible(f.text), here ? { inverse: true } : {})] : [];
      const placeholder = f.text ? [] : [seg(`${here ? ' ' : ''}${f.placeholder}`, { dim: true })];
      out.push(fitLine([...head, ...value, ...cursor, ...placeholder], width));
    } else {
      const options = f.options.flatMap((o, k) => [seg(k === f.chosen ? `● ${o}` : `○ ${o}`, k === f.chosen ? { bold: true, ...(here ? { inverse: true } : {}) } : { dim: true }), seg('   ')]);
      out.push(fitLine([...head, ...options], width));
    }
    if (wrong) out.push(errorLine());
  });
  // An error about no one field (the host could not start) goes under the fields.
  if (form.error && !form.fields.some((f) => f.key === form.error!.field)) out.push(errorLine());
  out.push(fitLine([], width));
  const keys = form.busy ? `${form.busy}…` : 'Enter creates · Tab/↑/↓ field · ←/→ choice · Esc cancels';
  out.push(fitLine([seg(`   ${keys}`, form.busy ? { color: 'yellow' } : { dim: true })], width));
  return { lines: out, focusLine };
}

/** What a terminal too small for the interface shows. */
export function tooSmallLines(columns: number, rows: number): Line[] {
  const text = [
    `tsession needs a terminal at least ${MIN_SIZE.columns} columns wide and ${MIN_SIZE.rows} rows high;`,
    `this one is ${columns}×${rows}. Make it bigger, or run \`tsession list\`.`,
    'q quits.',
  ];
  const w = Math.max(1, columns);
  // Wrap by words so the message stays readable at any width.
  const lines: string[] = [];
  for (const t of text) {
    let cur = '';
    for (const word of t.split(' ')) {
      if (cur && cur.length + 1 + word.length > w) {
        lines.push(cur);
        cur = word;
      } else cur = cur ? `${cur} ${word}` : word;
    }
    if (cur) lines.push(cur);
  }
  return lines.slice(0, Math.max(1, rows - 1)).map((l) => fitLine([seg(l, { bold: true })], w));
}
