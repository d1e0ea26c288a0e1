/**
 * Frames as a person sees them: the App rendered by Ink into an
 * @xterm/headless terminal, read back cell by cell — badge words and colours,
 * the tree, the result line, resize, NO_COLOR — and the first frame painted
 * before Ink loads, which must look like Ink's.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppProps } from '../../src/tui/App.js';
import { initialState } from '../../src/tui/state.js';
import { clearOnResize } from '../../src/tui/terminal.js';
import { toAnsi } from '../../src/tui/view/line.js';
import { buildScreen, screenLines } from '../../src/tui/view/screen.js';
import { fakeServices, NOW, sampleSnapshot } from './helpers/fake-services.js';
import { PALETTE, xtermScreen } from './helpers/xterm-screen.js';

// chalk decides its colour level when first imported: force colour before
// Ink (and so chalk) loads, then load the interface.
let ink: typeof import('ink');
let React: typeof import('react');
let App: typeof import('../../src/tui/App.js').App;
let ThemeContext: typeof import('../../src/tui/components/Lines.js').ThemeContext;
beforeAll(async () => {
  process.env.FORCE_COLOR = '1';
  ink = await import('ink');
  React = await import('react');
  App = (await import('../../src/tui/App.js')).App;
  ThemeContext = (await import('../../src/tui/components/Lines.js')).ThemeContext;
});

const mounted: { unmount(): void }[] = [];
afterEach(() => {
  for (const m of mounted.splice(0)) m.unmount();
});

function mount(screen: ReturnType<typeof xtermScreen>, props: Partial<AppProps> = {}, color = true, services = fakeServices()) {
  clearOnResize(screen.stdout as unknown as NodeJS.WriteStream);
  const el = React.createElement(
    ThemeContext.Provider,
    { value: { color } },
    React.createElement(App, { services, initial: services.current, refreshMs: 60_000, now: () => NOW, onAttach: () => {}, onQuit: () => {}, ...props }),
  );
  const instance = ink.render(el, {
    stdout: screen.stdout as unknown as NodeJS.WriteStream,
    stdin: screen.stdin as unknown as NodeJS.ReadStream,
    exitOnCtrlC: false,
    patchConsole: false,
    maxFps: 60,
  });
  mounted.push(instance);
  return { instance, services };
}

describe('frames in a terminal', () => {
  it('badges show a symbol, a word and their colour', async () => {
    const s = xtermScreen(100, 30);
    mount(s);
    await s.waitFor(/worker/);
    for (const [word, color] of [
      ['✓ healthy', PALETTE.green],
      ['≠ changed', PALETTE.yellow],
      ['‖ frozen', PALETTE.cyan],
      ['✗ crashed', PALETTE.red],
    ] as const) {
      const at = s.find(word);
      expect(at, word).not.toBeNull();
      expect(s.colorAt(at!.x + 2, at!.y), word).toBe(color);
    }
    expect(s.row(0)).toMatch(/tsession · tmux -L test · 5 sessions, 1 frozen, 1 crashed, 1 changed\s+\? help/);
    expect(s.row(28)).toMatch(/socket \/tmp\/tmux-0\/test · state \/state/);
  });

  it('the header says whether a watch daemon follows the server', async () => {
    const watched = xtermScreen(120, 30);
    mount(watched, {}, true, fakeServices({}, { ...sampleSnapshot(), watcher: { pid: 4242, since: '2026-11-24T09:00:00Z' } }));
    await watched.waitFor(/· watched/);
    const at = watched.find('watched')!;
    expect(watched.colorAt(at.x, at.y)).toBe(PALETTE.green);
    const unwatched = xtermScreen(120, 30);
    mount(unwatched, {}, true, fakeServices({}, { ...sampleSnapshot(), watcher: null }));
    expect(await unwatched.waitFor(/· not watched/)).not.toMatch(/· watched/);
  });

  it('J shows the journal newest first: detections in yellow, failures in red, evidence under each', async () => {
    const s = xtermScreen(120, 34);
    const journal = [
      { at: '2026-11-24T09:58:00.000Z', kind: 'action', what: 'save', result: 'ok', cause: 'window-add', detail: 'cp-new (3 session(s), 5 pane(s))' },
      { at: '2026-11-24T09:59:00.000Z', kind: 'detected', what: 'server-crashed', evidence: ['control client: %exit server exited unexpectedly'] },
      { at: '2026-11-24T09:59:01.000Z', kind: 'action', what: 'restore', result: 'failed', detail: 'no good checkpoint' },
    ] as const;
    mount(s, {}, true, fakeServices({}, { ...sampleSnapshot(), journal }));
    await s.waitFor(/▶/);
    s.stdin.type('J');
    const text = await s.waitFor(/Journal of this server/);
    const order = ['restore [failed]', 'server-crashed', 'save [ok]'].map((w) => text.indexOf(w));
    expect(order.every((i, k) => i > 0 && (k === 0 || i > order[k - 1]!))).toBe(true);
    // Whole entries: the evidence under its line, indented.
    expect(text).toMatch(/\n {7}control client: %exit server exited unexpectedly/);
    const crashed = s.find('server-crashed')!;
    expect(s.colorAt(crashed.x, crashed.y)).toBe(PALETTE.yellow);
    const failed = s.find('restore [failed]')!;
    expect(s.colorAt(failed.x, failed.y)).toBe(PALETTE.red);
    // J again: back to the detail panel.
    s.stdin.type('J');
    for (let i = 0; i < 100 && s.text().includes('Journal of this server'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(s.text()).not.toContain('Journal of this server');
  });

  it('the tree of a crashed session, from its checkpoint', async () => {
    const s = xtermScreen(100, 30);
    mount(s, { initialSelected: 'gone' });
    const text = await s.waitFor(/Windows \(from the checkpoint of 2026-11-24 \d\d:55:00\)/);
    expect(text).toMatch(/├─ 0: psql \(1 pane\)\n │  └─ gone:0\.0\s+~\s+\(shell\)\s+last: make test → exit 2\n └─ 1: dump \(1 pane\)/);
    const exit = s.find('→ exit 2')!;
    expect(s.colorAt(exit.x + 2, exit.y)).toBe(PALETTE.red);
  });

  it('restore: progress, then the result line in green on the status line', async () => {
    const s = xtermScreen(100, 30);
    mount(s, { initialSelected: 'gone' });
    await s.waitFor(/▶ gone/);
    s.stdin.type('r');
    await s.waitFor(/Restore gone\?/);
    s.stdin.type('y');
    const text = await s.waitFor(/restored gone \(2 windows, 2 panes\) — from cp-new\n.*socket/);
    expect(text).toMatch(/gone\s+✓ restored/);
    // The status line is the second to last line of the frame (the frame is one row short of the terminal).
    expect(s.row(27)).toMatch(/^ restored gone \(2 windows, 2 panes\) — from cp-new/);
    expect(s.colorAt(1, 27)).toBe(PALETTE.green);
  });

  it('NO_COLOR: the same words, no colour anywhere', async () => {
    const s = xtermScreen(100, 30);
    mount(s, {}, false);
    const text = await s.waitFor(/worker/);
    expect(text).toMatch(/✗ crashed/);
    for (let y = 0; y < 30; y++) for (let x = 0; x < 100; x++) expect(s.colorAt(x, y)).toBeNull();
  });

  it('follows a resize: narrower, then too narrow, then back', async () => {
    const s = xtermScreen(100, 30);
    mount(s);
    await s.waitFor(/worker/);
    s.resize(70, 20);
    let text = await s.waitFor(/tsession · tmux -L test/);
    expect(text.split('\n').every((l) => l.length <= 70)).toBe(true);
    s.resize(50, 20);
    text = await s.waitFor(/needs a terminal at least 60 columns/);
    expect(text).not.toMatch(/SESSION\s+HEALTH/);
    s.resize(90, 25);
    await s.waitFor(/SESSION\s+HEALTH/);
  });

  it('the first frame painted before Ink looks like Ink\'s first frame', async () => {
    const services = fakeServices();
    const painted = xtermScreen(100, 30);
    const lines = screenLines(buildScreen(initialState(services.current), services.info, { columns: 100, rows: 30 }, NOW));
    painted.stdout.write(`\x1b[H${lines.map((l) => toAnsi(l, true)).join('\r\n')}`);
    await painted.settle();
    const s = xtermScreen(100, 30);
    mount(s, {}, true, services);
    await s.waitFor(/worker/);
    // Ink trims trailing blanks that the painted frame writes: compare what shows.
    const shown = (t: string) => t.split('\n').map((l) => l.trimEnd()).join('\n');
    expect(shown(painted.text())).toBe(shown(s.text()));
    const at = s.find('✗ crashed')!;
    expect(painted.colorAt(at.x + 2, at.y)).toBe(s.colorAt(at.x + 2, at.y));
  });
});
