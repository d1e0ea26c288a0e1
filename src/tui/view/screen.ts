/**
 * The whole screen as sections of lines, from the state and the terminal
 * size. The Ink components render these sections one by one; the first frame
 * (before Ink loads) writes them at once. The frame is one line shorter than
 * the terminal, so Ink never falls back to clearing the screen per frame.
 */
import type { TuiInfo } from '../model.js';
import type { TuiState } from '../state.js';
import { dialogLines, filterLine, formContent, headerLine, helpLines, MIN_SIZE, onlyPty, promptLines, statusLines, tabsLine, tooSmallLines } from './chrome.js';
import { detailLines, ptyDetailLines } from './detail.js';
import type { Line } from './line.js';
import { serverName, startCommand } from './chrome.js';
import { fitLine } from './line.js';
import { diffLines, journalLines, progressLines, repairLines, timelineLines, type PanelLines } from './panels.js';
import { checkpointsOf, listLines, listRows, rowKey, sessionRows, type ListRow } from './rows.js';

/** Terminal size in cells. */
export interface ScreenSize {
  readonly columns: number;
  readonly rows: number;
}

/** The sections, top to bottom. */
export type Screen =
  | {
      readonly kind: 'full';
      readonly header: Line;
      /** Empty while the help overlay covers list and panel. */
      readonly list: readonly Line[];
      readonly tabs: Line | null;
      readonly panel: readonly Line[];
      readonly filter: Line | null;
      readonly status: readonly Line[];
    }
  | { readonly kind: 'too-small'; readonly lines: readonly Line[] };

/** Heights of the list (with its title) and the panel. */
export function heights(size: ScreenSize, rowCount: number, filterShown: boolean): { list: number; panel: number } {
  const avail = size.rows - 1 - 4 - (filterShown ? 1 : 0);
  const list = Math.max(2, Math.min(rowCount + 1, Math.max(4, Math.floor(avail * 0.45))));
  return { list, panel: Math.max(1, avail - list) };
}

/** Lines of the current panel before scrolling, and the line to keep in view. */
function panelContent(state: TuiState, info: TuiInfo, selected: ListRow | null, width: number, now: number, height: number): PanelLines {
  const plain = (lines: Line[]): PanelLines => ({ lines, focusLine: null });
  if (state.dialog) return plain(dialogLines(state.dialog, width));
  if (state.form) return formContent(state.form, width);
  if (state.prompt) return plain(promptLines(state.prompt, width));
  const snap = state.snapshot;
  if (selected?.kind === 'pty' && state.panel === 'detail') return plain(ptyDetailLines(selected, state.screenPreview?.key === rowKey(selected) ? state.screenPreview : null, width, height));
  // Timelines, diffs and repairs are about tmux sessions.
  const row = selected?.kind === 'tmux' ? selected : null;
  switch (state.panel) {
    case 'detail':
      return plain(detailLines(row, snap, width, now, info.home ?? null, row && state.screenPreview?.key === row.name ? state.screenPreview : null, height));
    case 'timeline':
      return timelineLines(row?.name ?? null, snap && row ? checkpointsOf(snap, row.name) : [], state.timeline, state.timelineIndex, state.focus === 'panel', width, now);
    case 'diff':
      return plain(diffLines(state.diff?.session ?? row?.name ?? null, state.diff?.result ?? null, width));
    case 'progress':
      return plain(progressLines(state.progress, width));
    case 'repair':
      return plain(repairLines(state.repair, width));
    case 'journal':
      return journalLines(snap?.journal ?? null, state.journalIndex, state.focus === 'panel', width);
  }
}

/** The visible slice of a panel: scrolled, kept on the line under the cursor, padded. */
export function panelSlice(content: PanelLines, state: TuiState, height: number, width: number): Line[] {
  const { lines, focusLine } = content;
  let first = Math.min(state.scroll, Math.max(0, lines.length - height));
  // The chosen entry and the two lines after it (its warning, its detail) stay in view.
  if (focusLine !== null && !state.dialog && !state.prompt) first = Math.max(0, Math.min(focusLine + 3 - height, lines.length - height));
  const out = lines.slice(first, first + height);
  while (out.length < height) out.push(fitLine([], width));
  return out;
}

/** Why the list is empty, in words that say what to do. */
function emptyWhy(state: TuiState, info: TuiInfo): string | null {
  const snap = state.snapshot;
  if (!snap || state.filter) return null;
  if (snap.report.server.state === 'absent') return `no tmux server runs on ${serverName(info)} and no checkpoint remembers a session — start one: ${startCommand(info)}`;
  return null;
}

/** Build the screen. */
export function buildScreen(state: TuiState, info: TuiInfo, size: ScreenSize, now: number, refreshedAt: number | null = null): Screen {
  if (size.columns < MIN_SIZE.columns || size.rows < MIN_SIZE.rows) return { kind: 'too-small', lines: tooSmallLines(size.columns, size.rows) };
  const width = size.columns;
  const all = listRows(state.snapshot, state.filter, info.home ?? null);
  const rows = all.filter((r) => r.kind === 'tmux');
  const row = all.find((r) => rowKey(r) === state.selected) ?? null;
  const filterShown = state.filtering || state.filter !== '';
  // An empty list says why in a few lines.
  const h = heights(size, all.length || 3, filterShown);
  const ptys = all.filter((r) => r.kind === 'pty');
  const header = headerLine(info, state.snapshot, rows, width, state.busy, state.filter ? sessionRows(state.snapshot, '').length : null, ptys, state.filter ? (state.snapshot?.pty?.sessions.length ?? 0) : null);
  const tmuxTotal = state.filter ? sessionRows(state.snapshot, '').length : rows.length;
  const ptyTotal = state.snapshot?.pty?.sessions.length ?? 0;
  const status = statusLines(info, state.status, state.snapshot, width, now, refreshedAt, !onlyPty(state.snapshot, tmuxTotal, ptyTotal));
  const filter = filterShown ? filterLine(state.filter, state.filtering, width) : null;
  if (state.help) {
    const all = helpLines(width);
    const room = h.list + 1 + h.panel;
    const shown = all.slice(Math.min(state.scroll, Math.max(0, all.length - room)), Math.min(state.scroll, Math.max(0, all.length - room)) + room);
    while (shown.length < room) shown.push(fitLine([], width));
    return { kind: 'full', header, list: [], tabs: null, panel: shown, filter, status };
  }
  const list = listLines(all, state.selected, state.focus === 'list', width, h.list, now, state.filter, emptyWhy(state, info));
  const tabs = tabsLine(state.panel, state.focus, width);
  const panel = panelSlice(panelContent(state, info, row, width, now, h.panel), state, h.panel, width);
  return { kind: 'full', header, list, tabs, panel, filter, status };
}

/** Every line of a screen, top to bottom. */
export function screenLines(s: Screen): Line[] {
  if (s.kind === 'too-small') return [...s.lines];
  return [s.header, ...s.list, ...(s.tabs ? [s.tabs] : []), ...s.panel, ...(s.filter ? [s.filter] : []), ...s.status];
}
