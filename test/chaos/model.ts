/**
 * What the user has, modelled by the chaos suite independently of
 * tsession: sessions, windows (index, name), panes in order (the shell's
 * cwd, and whether it runs `tail -f`). Each user action updates the model
 * the way tmux does (a split puts the new pane right after its target; a
 * killed pane's followers move up). Pure; world.ts compares it with the
 * real server.
 */

export interface PaneModel {
  cwd: string;
  /** The shell alone at its prompt, or `tail -f` (an allowlisted program a restore re-runs). */
  program: 'bash' | 'tail';
}

export interface WindowModel {
  readonly index: number;
  readonly name: string;
  readonly panes: PaneModel[];
}

export interface SessionModel {
  readonly name: string;
  readonly windows: WindowModel[];
}

/** A pane's address in the model and for tmux (`session:window.pane`). */
export interface PaneRef {
  readonly session: string;
  readonly window: number;
  readonly pane: number;
}

export const target = (p: PaneRef): string => `${p.session}:${p.window}.${p.pane}`;

/** One line per pane, sorted: what world.ts reads back from tmux and /proc must equal these. */
export function modelLines(model: readonly SessionModel[]): string[] {
  return model
    .flatMap((s) => s.windows.flatMap((w) => w.panes.map((p, i) => paneLine(s.name, w.index, w.name, i, p.cwd, p.program === 'tail' ? 'bash/tail' : 'bash/-'))))
    .sort();
}

/** The line of one pane: `alpha:1 logs .0 /dir bash/-`. */
export const paneLine = (session: string, window: number, name: string, pane: number, cwd: string, runs: string): string => `${session}:${window} ${name} .${pane} ${cwd} ${runs}`;

/** Every pane, with its address. */
export function panes(model: readonly SessionModel[]): (PaneRef & { readonly model: PaneModel; readonly windowPanes: number })[] {
  return model.flatMap((s) => s.windows.flatMap((w) => w.panes.map((p, pane) => ({ session: s.name, window: w.index, pane, model: p, windowPanes: w.panes.length }))));
}

export function windowOf(model: readonly SessionModel[], ref: { session: string; window: number }): WindowModel {
  const w = model.find((s) => s.name === ref.session)?.windows.find((x) => x.index === ref.window);
  if (!w) throw new Error(`Expected window ${ref.session}:${ref.window} in the model, got none`);
  return w;
}

/** `split-window -t ref`: the new pane comes right after its target. */
export function split(model: SessionModel[], ref: PaneRef, cwd: string): void {
  windowOf(model, ref).panes.splice(ref.pane + 1, 0, { cwd, program: 'bash' });
}

/** `kill-pane -t ref` in a window that keeps other panes. */
export function killPane(model: SessionModel[], ref: PaneRef): void {
  const w = windowOf(model, ref);
  if (w.panes.length < 2) throw new Error(`Expected a window with another pane to kill ${target(ref)} in, got one pane`);
  w.panes.splice(ref.pane, 1);
}

/** `new-window` at `index` (tmux's choice, read back) named `name`. */
export function newWindow(model: SessionModel[], session: string, index: number, name: string, cwd: string): void {
  const s = model.find((x) => x.name === session);
  if (!s) throw new Error(`Expected session ${session} in the model, got none`);
  s.windows.push({ index, name, panes: [{ cwd, program: 'bash' }] });
  s.windows.sort((a, b) => a.index - b.index);
}
