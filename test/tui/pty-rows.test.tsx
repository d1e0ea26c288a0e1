/**
 * PTY sessions in the interface, with fake services: their rows beside the
 * tmux ones with the state words of `tsession list`, the detail panel's
 * preview of the screen, and the keys — Enter attaches a running one, n
 * opens a form (name, directory, command, attach or stay), r revives, x
 * kills after asking.
 */
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeServices, sampleWithPty } from './helpers/fake-services.js';
import { KEYS, renderApp } from './helpers/render-app.js';

afterEach(() => cleanup());

const withPty = () => fakeServices({}, sampleWithPty());
const calls = (app: ReturnType<typeof renderApp>, name: string) => app.services.calls.filter((c) => c.name === name).map((c) => c.args);

describe('PTY rows', () => {
  it('lists PTY sessions after the tmux ones, with their state words and kind', async () => {
    const app = renderApp({}, withPty());
    const f = await app.waitFrame(/notes/);
    expect(f).toMatch(/shell\s+running\s+pty\s+1\s+no\s+-/);
    expect(f).toMatch(/build\s+exited \(3\)\s+pty/);
    expect(f).toMatch(/notes\s+revivable\s+pty/);
    // tmux sessions first, as tsession list orders them.
    expect(f.indexOf('worker')).toBeLessThan(f.indexOf('shell '));
  });

  it('moving onto a running one shows its facts and a preview of its screen', async () => {
    const app = renderApp({}, withPty());
    for (let i = 0; i < 5; i++) await app.press(KEYS.down);
    const f = await app.waitFrame(/│ shell\$ echo hello/);
    expect(f).toMatch(/shell running · pty · 80×24 · pid 5150 · not attached/);
    expect(f).toMatch(/cwd: \/home\/ann/);
    expect(f).toMatch(/│ shell\$ echo hello/);
    expect(calls(app, 'previewPty')).toContainEqual(['shell']);
  });

  it('a revivable one has no screen to preview and says r revives it', async () => {
    const app = renderApp({ initialSelected: 'pty:notes' }, withPty());
    await app.waitFrame(/notes revivable · pty[\s\S]*r revives it from its checkpoint/);
    await app.press('r');
    await app.waitFrame(/the PTY host runs: 1 session running/);
    expect(calls(app, 'revivePty')).toEqual([[]]);
    expect(calls(app, 'previewPty')).toEqual([]);
  });
});

describe('a tmux session\'s preview', () => {
  it('the detail of a live tmux session ends with its active pane\'s captured screen; a crashed one has none', async () => {
    const app = renderApp({ initialSelected: 'web' }, withPty());
    await app.press(KEYS.down, KEYS.up);
    const f = await app.waitFrame(/Screen of web:0\.0:\n │ web \$ make\n │ built/);
    expect(f).toMatch(/Windows \(live\)[\s\S]*Screen of web/);
    expect(calls(app, 'previewTmux')).toContainEqual(['web']);
    await app.press(KEYS.down, KEYS.down, KEYS.down);
    await app.waitFrame(/ gone ✗ crashed/);
    expect(app.frame()).not.toMatch(/Screen of/);
    expect(calls(app, 'previewTmux')).not.toContainEqual(['gone']);
  });
});

describe('PTY keys', () => {
  it('Enter attaches to a running PTY session by its key, and explains for an exited one', async () => {
    const app = renderApp({ initialSelected: 'pty:shell' }, withPty());
    await app.press(KEYS.enter);
    expect(app.onAttach).toHaveBeenCalledWith('pty:shell');
    const exited = renderApp({ initialSelected: 'pty:build' }, withPty());
    await exited.press(KEYS.enter);
    await exited.waitFrame(/build is exited: x removes it/);
    expect(exited.onAttach).not.toHaveBeenCalled();
  });

  it('x asks, n/Esc keeps it, y kills it', async () => {
    const app = renderApp({ initialSelected: 'pty:shell' }, withPty());
    await app.press('x');
    await app.waitFrame(/Kill the PTY session shell\?[\s\S]*pid 5150/);
    await app.press(KEYS.escape);
    await app.waitFrame(/kept shell/);
    expect(calls(app, 'killPty')).toEqual([]);
    await app.press('x');
    await app.waitFrame(/Kill the PTY session shell\?/);
    await app.press('y');
    await app.waitFrame(/killed the PTY session shell/);
    expect(calls(app, 'killPty')).toEqual([['shell']]);
    // x on a tmux row still deletes checkpoints (through the timeline), never kills.
    expect(calls(app, 'removeCheckpoint')).toEqual([]);
  });

  it('n opens a form: a taken name is said under its field and the form stays; Esc cancels', async () => {
    const app = renderApp({}, withPty());
    await app.press('n');
    await app.waitFrame(/New PTY session[\s\S]*▶ Name[\s\S]*Directory\s+~ \(your home[\s\S]*Command\s+your shell[\s\S]*Then\s+● attach\s+○ stay here/);
    await app.press('s', 'h', 'e', 'l', 'l', KEYS.enter);
    await app.waitFrame(/▶ Name\s+shell▏\n\s+✗ a PTY session named shell already exists/);
    expect(calls(app, 'newPty')).toEqual([]);
    // Typing into the field clears the error line.
    await app.press('2');
    await app.waitFrame((f) => /shell2▏/.test(f) && !/already exists/.test(f));
    await app.press(KEYS.escape);
    await app.waitFrame(/nothing created/);
    expect(calls(app, 'newPty')).toEqual([]);
    expect(app.onAttach).not.toHaveBeenCalled();
  });

  it('n with a name only creates the shell at home and attaches, as tsession new does', async () => {
    const app = renderApp({}, withPty());
    await app.press('n', 'l', 'o', 'g', 's', KEYS.enter);
    await app.waitFrame(/created the PTY session logs/);
    expect(calls(app, 'newPty')).toEqual([[{ name: 'logs', cwd: null, argv: null }]]);
    expect(app.onAttach).toHaveBeenCalledWith('pty:logs');
  });

  it('n with a directory, a command split into words (nothing expanded) and "stay here" creates it detached', async () => {
    const app = renderApp({}, withPty());
    await app.press('n', 'w', 'e', 'b', KEYS.tab, ...'/srv/www', KEYS.tab, ...`python3 -m http.server 'my dir' $HOME;x`, KEYS.tab);
    await app.waitFrame(/▶ Then\s+● attach/);
    await app.press('\x1b[C');
    await app.waitFrame(/▶ Then\s+○ attach\s+● stay here/);
    await app.press(KEYS.enter);
    await app.waitFrame(/created the PTY session web/);
    expect(calls(app, 'newPty')).toEqual([[{ name: 'web', cwd: '/srv/www', argv: ['python3', '-m', 'http.server', 'my dir', '$HOME;x'] }]]);
    expect(app.onAttach).not.toHaveBeenCalled();
  });

  it('a directory the services cannot find and an unclosed quote are said under their fields; Shift-Tab goes back', async () => {
    const app = renderApp({}, withPty());
    await app.press('n', 'x', KEYS.tab, ...'/nonexistent', KEYS.enter);
    await app.waitFrame(/▶ Directory\s+\/nonexistent▏\n\s+✗ no directory \/nonexistent/);
    expect(calls(app, 'newPty')).toHaveLength(1);
    await app.press('\x15', KEYS.tab, ...`vim 'notes`, KEYS.enter);
    await app.waitFrame(/▶ Command\s+vim 'notes▏\n\s+✗ a ' quote is not closed/);
    expect(calls(app, 'newPty')).toHaveLength(1);
    await app.press('\x1b[Z', '\x1b[Z');
    await app.waitFrame(/▶ Name\s+x▏/);
  });
});
