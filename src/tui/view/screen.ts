/**
 * The whole screen as sections of lines, from the state and the terminal
 * size. The Ink components render these sections one by one; the first frame
 * (before Ink loads) writes them at once. The frame is one line shorter than
 * the terminal, so Ink never falls back to clearing the screen per frame.
 */
import type { TuiInfo } from '../model.js';
import type { TuiState } from '../state.js';
import { dialogLines, filterLine, headerLine, helpLines, MIN_SIZE, statusLines, tabsLine, tooSmallLines } from './chrome.js';
import { detailLines } from './detail.js';
import type { Line } from './line.js';
import { fitLine } from './line.js';
import { diffLines, journalLines, progressLines, repairLines, timelineLines } from './panels.js';
import { checkpointsOf, listLines, sessionRows, type SessionRow } from './rows.js';

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

/** Lines of the current panel before scrolling. */
function panelContent(state: TuiState, row: SessionRow | null, width: number, now: number): Line[] {
  if (state.dialog) return dialogLines(state.dialog, width);
  const snap = state.snapshot;
  switch (state.panel) {
    case 'detail':
      return detailLines(row, snap, width, now);
    case 'timeline':
      return timelineLines(row?.name ?? null, snap && row ? checkpointsOf(snap, row.name) : [], state.timelineIndex, state.focus === 'panel', width, now);
    case 'diff':
      return diffLines(state.diff?.session ?? row?.name ?? null, state.diff?.result ?? null, width);
    case 'progress':
      return progressLines(state.progress, width);
    case 'repair':
      return repairLines(state.repair, width);
    case 'journal':
      return journalLines(snap?.journal ?? null, width);
  }
}

/** The visible slice of a panel: scrolled, kept on the chosen timeline entry, padded. */
export function panelSlice(lines: readonly Line[], state: TuiState, height: number, width: number): Line[] {
  let first = Math.min(state.scroll, Math.max(0, lines.length - height));
  if (state.panel === 'timeline' && !state.dialog) first = Math.max(0, state.timelineIndex + 2 - height);
  const out = lines.slice(first, first + height);
  while (out.length < height) out.push(fitLine([], width));
  return out;
}

/** Build the screen. */
export function buildScreen(state: TuiState, info: TuiInfo, size: ScreenSize, now: number, refreshedAt: number | null = null): Screen {
  if (size.columns < MIN_SIZE.columns || size.rows < MIN_SIZE.rows) return { kind: 'too-small', lines: tooSmallLines(size.columns, size.rows) };
  const width = size.columns;
  const rows = sessionRows(state.snapshot, state.filter);
  const row = rows.find((r) => r.name === state.selected) ?? null;
  const filterShown = state.filtering || state.filter !== '';
  const h = heights(size, rows.length, filterShown);
  const header = headerLine(info, state.snapshot, rows, width, state.busy);
  const status = statusLines(info, state.status, state.snapshot, width, now, refreshedAt);
  const filter = filterShown ? filterLine(state.filter, state.filtering, width) : null;
  if (state.help) {
    const all = helpLines(width);
    const room = h.list + 1 + h.panel;
    const shown = all.slice(Math.min(state.scroll, Math.max(0, all.length - room)), Math.min(state.scroll, Math.max(0, all.length - room)) + room);
    while (shown.length < room) shown.push(fitLine([], width));
    return { kind: 'full', header, list: [], tabs: null, panel: shown, filter, status };
  }
  const list = listLines(rows, state.selected, state.focus === 'list', width, h.list, now, state.filter);
  const tabs = tabsLine(state.panel, state.focus, width);
  const panel = panelSlice(panelContent(state, row, width, now), state, h.panel, width);
  return { kind: 'full', header, list, tabs, panel, filter, status };
}

/** Every line of a screen, top to bottom. */
export function screenLines(s: Screen): Line[] {
  if (s.kind === 'too-small') return [...s.lines];
  return [s.header, ...s.list, ...(s.tabs ? [s.tabs] : []), ...s.panel, ...(s.filter ? [s.filter] : []), ...s.status];
}
