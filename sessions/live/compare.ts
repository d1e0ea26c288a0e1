/**
 * Compares two session records (checkpointed vs live, or planned vs built):
 * what a restore would add or what vanished. Pure; used by restore
 * verification, `tsession diff` and the health classifier.
 */
import type { PaneRecord, SessionRecord } from '../../checkpoints/schema.js';

/** One difference, worded for a person. `kind` lets callers filter. */
export interface Difference {
  readonly kind:
    | 'window-missing'
    | 'window-extra'
    | 'window-name'
    | 'pane-count'
    | 'layout'
    | 'cwd'
    | 'command'
    | 'flag';
  readonly where: string;
  readonly saved: string;
  readonly live: string;
}

export interface CompareOptions {
  /** Compare names of windows with automatic-rename on (they follow the running program). */
  readonly autoNames?: boolean;
  readonly cwds?: boolean;
  readonly commands?: boolean;
  readonly layouts?: boolean;
  readonly flags?: boolean;
}

/**
 * A layout string without its checksum and pane ids: tmux numbers panes per
 * server, so only the arrangement (sizes, offsets, nesting) can match.
 */
export function normalizeLayout(layout: string): string {
  return layout.replace(/^[0-9a-f]{4},/, '').replace(/(\d+x\d+,\d+,\d+),\d+(?=[,}\]]|$)/g, '$1');
}

const fgText = (p: PaneRecord): string =>
  p.foreground.kind === 'shell' ? '(shell)' : p.foreground.argv ? p.foreground.argv.join(' ') : p.foreground.command;

/** Differences between `saved` and `live`; empty when they match. */
export function compareSessions(saved: SessionRecord, live: SessionRecord, opts: CompareOptions = {}): Difference[] {
  const o = { autoNames: true, cwds: true, commands: true, layouts: true, flags: true, ...opts };
  const out: Difference[] = [];
  const liveWin = new Map(live.windows.map((w) => [w.index, w]));
  for (const w of saved.windows) {
    const where = `${saved.name}:${w.index}`;
    const lw = liveWin.get(w.index);
    if (!lw) {
      out.push({ kind: 'window-missing', where, saved: w.name, live: '(none)' });
      continue;
    }
    liveWin.delete(w.index);
    if (w.name !== lw.name && (o.autoNames || !w.automaticRename)) {
      out.push({ kind: 'window-name', where, saved: w.name, live: lw.name });
    }
    if (w.panes.length !== lw.panes.length) {
      out.push({ kind: 'pane-count', where, saved: String(w.panes.length), live: String(lw.panes.length) });
      continue;
    }
    if (o.layouts && normalizeLayout(w.layout) !== normalizeLayout(lw.layout)) out.push({ kind: 'layout', where, saved: w.layout, live: lw.layout });
    if (o.flags) {
      for (const f of ['active', 'last', 'zoomed', 'automaticRename'] as const) {
        if (w[f] !== lw[f]) out.push({ kind: 'flag', where: `${where} ${f}`, saved: String(w[f]), live: String(lw[f]) });
      }
    }
    w.panes.forEach((p, i) => {
      const lp = lw.panes[i]!;
      const pw = `${where}.${i}`;
      if (o.cwds && p.cwd.path !== lp.cwd.path) out.push({ kind: 'cwd', where: pw, saved: p.cwd.path, live: lp.cwd.path });
      if (o.commands && fgText(p) !== fgText(lp)) out.push({ kind: 'command', where: pw, saved: fgText(p), live: fgText(lp) });
      if (o.flags && p.active !== lp.active) out.push({ kind: 'flag', where: `${pw} active`, saved: String(p.active), live: String(lp.active) });
    });
  }
  for (const lw of liveWin.values()) {
    out.push({ kind: 'window-extra', where: `${saved.name}:${lw.index}`, saved: '(none)', live: lw.name });
  }
  return out;
}
