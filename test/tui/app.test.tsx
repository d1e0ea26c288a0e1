/**
 * Component tests of the App with fake services: every health badge with its
 * evidence, keys, filter, help overlay, confirmations, unfreeze, narrow
 * terminals and colour off.
 */
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeServices } from './helpers/fake-services.js';
import { KEYS, renderApp } from './helpers/render-app.js';

afterEach(() => cleanup());

const rowOf = (frame: string, name: string) => frame.split('\n').find((l) => new RegExp(`^[ ▶] ${name}\\s`).test(l)) ?? '';

describe('sessions list and health badges', () => {
  it('shows every state with a symbol and a word, counts, attached and checkpoint age', async () => {
    const app = renderApp();
    const f = await app.waitFrame(/worker/);
    expect(rowOf(f, 'api')).toMatch(/✓ healthy\s+2\s+3\s+yes\s+5m ago/);
    // Attachment has its own column: a session nobody is attached to is healthy, ATTACHED says no.
    expect(rowOf(f, 'web')).toMatch(/✓ healthy\s+1\s+1\s+no\s+never/);
    expect(rowOf(f, 'db')).toMatch(/≠ changed\s+1\s+1\s+yes\s+5m ago/);
    expect(rowOf(f, 'worker')).toMatch(/‖ frozen\s+1\s+1\s+yes\s+never/);
    expect(rowOf(f, 'gone')).toMatch(/✗ crashed\s+2\s+2\s+-\s+5m ago/);
    expect(f).toMatch(/5 sessions, 1 frozen, 1 crashed, 1 changed/);
  });

  it.each([
    ['api', /✓ healthy[\s\S]*server: answers; 3 panes checked[\s\S]*Windows \(live\)/],
    ['web', /✓ healthy · 1 window, 1 pane · not attached[\s\S]*Enter attaches/],
    ['db', /≠ changed[\s\S]*layout: window db:1 \("dump"\) vanished[\s\S]*checkpoint: newest checkpoint of 2026-11-24 \d\d:55:00 \(5m ago\)/],
    ['worker', /‖ frozen[\s\S]*job: pane %\d+ \(worker:0\.0\): pid 701 \(sleep\) of the foreground job \(process group 700\) is\s+stopped: state T \(stopped\), wchan do_signal_stop[\s\S]*u unfreezes it/],
    ['gone', /✗ crashed[\s\S]*server: not running on tmux server -L test[\s\S]*r restores it[\s\S]*Windows \(from the checkpoint of 2026-11-24 \d\d:55:00\)/],
  ])('the detail of %s shows its badge and evidence', async (name, want) => {
    const app = renderApp({ initialSelected: name });
    expect(await app.waitFrame(want)).toMatch(want);
  });

  it('the tree shows cwd, foreground command, and last command with exit code from the checkpoint', async () => {
    const app = renderApp({ initialSelected: 'gone' });
    const f = await app.waitFrame(/last: make test → exit 2/);
    expect(f).toMatch(/├─ 0: psql \(1 pane\)/);
    // Panes by name (session:window.pane), cwds under home as ~; no tmux id.
    expect(f).toMatch(/gone:0\.0\s+~\s+\(shell\)\s+last: make test → exit 2/);
    expect(f).not.toMatch(/%\d+/);
    const w = renderApp({ initialSelected: 'worker' });
    expect(await w.waitFrame(/sleep 1000 ‖ frozen/)).toMatch(/worker:0\.0\s+~\s+sleep 1000 ‖ frozen/);
  });
});

describe('keys', () => {
  it('↓/j and ↑/k move the selection; Tab moves the focus to the panel', async () => {
    const app = renderApp();
    await app.waitFrame(/▶ api/);
    await app.press('j');
    await app.waitFrame(/▶ web/);
    await app.press(KEYS.down, KEYS.down);
    await app.waitFrame(/▶ worker/);
    await app.press('k', KEYS.up);
    await app.waitFrame(/▶ web/);
    await app.press(KEYS.tab);
    await app.waitFrame(/\(Tab: back to the list\)/);
  });

  it('a burst of keys in one chunk is each key', async () => {
    const app = renderApp();
    await app.waitFrame(/▶ api/);
    app.stdin.write('jj');
    await app.waitFrame(/▶ db/);
  });

  it('t opens the timeline: newest first by time, age, cause, panes and change; invalid ones marked; ↓ chooses', async () => {
    const app = renderApp({ initialSelected: 'api' });
    await app.waitFrame(/▶ api/);
    await app.press('t');
    let f = await app.waitFrame(/after a change/);
    expect(f).toMatch(/Checkpoints of api, newest first/);
    // The chosen one: time, age, cause, panes, programs, what changed since the one before; its id on the line under it.
    expect(f).toMatch(/▶ (?:\d\d-\d\d )?\d\d:55:00\s+5m ago\s+after a change\s+3 panes\s+shells\s+\+window logs/);
    expect(f).toMatch(/^\s+id cp-new · 2 KB · with db, gone$/m);
    expect(f).toMatch(/(?:\d\d-\d\d )?\d\d:00:00\s+1h ago\s+interval\s+2 panes\s+shells\s+\(oldest\)/);
    // No bare id on the entry lines.
    expect(f).not.toMatch(/cp-old/);
    await app.press('j');
    f = await app.waitFrame(/id cp-old/);
    expect(f).toMatch(/▶ (?:\d\d-\d\d )?\d\d:00:00/);
    const gone = renderApp({ initialSelected: 'gone' });
    await gone.press('t');
    f = await gone.waitFrame(/INVALID: truncated/);
    expect(f).toMatch(/\d\d:40:00\s+20m ago\s+INVALID: truncated/);
  });

  it('d shows the diff against the checkpoint', async () => {
    const app = renderApp({ initialSelected: 'db' });
    await app.press('d');
    const f = await app.waitFrame(/window db:1 "dump" is gone: restoring brings it back/);
    expect(f).toMatch(/What restoring db would change/);
    expect(app.services.calls.find((c) => c.name === 'diff')?.args).toEqual(['db', 'cp-new']);
  });

  it('Enter attaches to a live session, and explains instead for a crashed one', async () => {
    const app = renderApp({ initialSelected: 'api' });
    await app.press(KEYS.enter);
    expect(app.onAttach).toHaveBeenCalledWith('api');
    const crashed = renderApp({ initialSelected: 'gone' });
    await crashed.press(KEYS.enter);
    await crashed.waitFrame(/gone is not running: r restores it/);
    expect(crashed.onAttach).not.toHaveBeenCalled();
  });

  it('s saves and shows the result line', async () => {
    const app = renderApp();
    await app.press('s');
    await app.waitFrame(/saved checkpoint cp-newest/);
  });

  it('q and Ctrl-C quit', async () => {
    const a = renderApp();
    await a.press('q');
    expect(a.onQuit).toHaveBeenCalled();
    const b = renderApp();
    await b.press(KEYS.ctrlC);
    expect(b.onQuit).toHaveBeenCalled();
  });

  it('an unbound key says so instead of doing something', async () => {
    const app = renderApp();
    await app.press('z');
    await app.waitFrame(/"z" does nothing here — \? shows every key/);
  });
});

describe('filter', () => {
  it('/ narrows the list as you type; Esc clears; Enter keeps it', async () => {
    const app = renderApp();
    await app.press('/', 'w', 'o');
    let f = await app.waitFrame((x) => !/ api /.test(x) && /▶ worker/.test(x));
    expect(f).toMatch(/\/ wo▏/);
    expect(f).not.toMatch(/ web /);
    await app.press(KEYS.backspace);
    f = await app.waitFrame(/\/ w▏/);
    expect(rowOf(f, 'web')).not.toBe('');
    await app.press(KEYS.enter);
    await app.waitFrame(/\(filtered: \/ edits\)/);
    await app.press('/', KEYS.escape);
    f = await app.waitFrame((x) => / api /.test(x) && !/filtered/.test(x));
    expect(rowOf(f, 'gone')).not.toBe('');
  });

  it('a filter matching nothing says how to clear it', async () => {
    const app = renderApp();
    await app.press('/', 'x', 'y', 'z');
    const f = await app.waitFrame(/no session matches "xyz" — \/ then Esc clears the filter/);
    expect(f).toMatch(/tsession · tmux -L test · 0 of 5 sessions/);
  });
});

describe('help overlay', () => {
  it('? lists keys from the table, scrolls, and Esc closes it', async () => {
    const app = renderApp();
    await app.press('?');
    const f = await app.waitFrame(/ Keys/);
    expect(f).toMatch(/↑ \/ k\s+move up/);
    expect(f).toMatch(/u\s+unfreeze: show the repair ladder/);
    expect(f).not.toMatch(/SESSION\s+HEALTH/);
    await app.press(...'j'.repeat(45));
    await app.waitFrame(/Ctrl-C\s+quit at once/);
    await app.press(KEYS.escape);
    await app.waitFrame(/SESSION\s+HEALTH/);
  });
});

describe('confirmations', () => {
  it('r asks before restoring a crashed session; y restores with progress and a result line', async () => {
    const app = renderApp({ initialSelected: 'gone' });
    await app.press('r');
    let f = await app.waitFrame(/Restore gone\?/);
    expect(f).toMatch(/From the checkpoint of 2026-11-24 \d\d:55:00 \(5m ago\):[\s\S]*gone: 2 windows, 2 panes[\s\S]*\[y\] restore\s+\[n\/Esc\] cancel/);
    expect(app.services.calls.some((c) => c.name === 'restore')).toBe(false);
    await app.press('y');
    f = await app.waitFrame(/restored gone \(2 windows, 2 panes\) — from cp-new/);
    expect(f).toMatch(/gone\s+✓ restored[\s\S]*✓ window 0: psql[\s\S]*✓ window 1: dump/);
    expect(app.services.calls.find((c) => c.name === 'restore')?.args).toEqual([{ checkpointId: 'cp-new', sessions: ['gone'], replace: false }, true]);
  });

  it('n cancels the restore', async () => {
    const app = renderApp({ initialSelected: 'gone' });
    await app.press('r');
    await app.waitFrame(/Restore gone\?/);
    await app.press('n');
    await app.waitFrame(/restore cancelled/);
    expect(app.services.calls.some((c) => c.name === 'restore')).toBe(false);
  });

  it('restoring a running session asks one question: replace it', async () => {
    const app = renderApp({ initialSelected: 'db' });
    await app.press('r');
    const f = await app.waitFrame(/Replace db\?/);
    expect(f).toMatch(/db: 2 windows, 2 panes — replaces the running session[\s\S]*db is killed and rebuilt; unsaved state there is lost\.[\s\S]*\[y\] replace\s+\[n\/Esc\] cancel/);
    await app.press('y');
    await app.waitFrame(/restored db/);
    expect(app.services.calls.find((c) => c.name === 'restore')?.args[0]).toMatchObject({ replace: true });
  });

  it('unlisted commands are listed for approval: s restores without running them', async () => {
    const services = fakeServices({
      async previewRestore(req) {
        return {
          checkpointId: req.checkpointId,
          createdAt: '2026-11-24T09:55:00Z',
          sessions: [{ name: 'gone', windows: [{ index: 0, name: 'psql' }], panes: 1 }],
          unlisted: [{ where: 'gone:0.0', command: 'psql mydb', program: 'psql' }],
          running: [],
        };
      },
    });
    const app = renderApp({ initialSelected: 'gone' }, services);
    await app.press('r');
    const f = await app.waitFrame(/1 command need approval/);
    expect(f).toMatch(/not on the allowlist[\s\S]*gone:0\.0\s+psql mydb[\s\S]*\[y\] restore and run them\s+\[s\] restore, only type them/);
    await app.press('s');
    await app.waitFrame(/restored gone/);
    expect(services.calls.find((c) => c.name === 'restore')?.args[1]).toBe(false);
  });

  it('R restores every crashed session after one question per checkpoint', async () => {
    const app = renderApp();
    await app.press('R');
    await app.waitFrame(/Restore gone\?/);
    await app.press('y');
    await app.waitFrame(/restored gone/);
  });

  it('x asks before deleting the checkpoint chosen in the timeline', async () => {
    const app = renderApp({ initialSelected: 'api' });
    await app.press('x');
    await app.waitFrame(/choose the checkpoint to delete, then x/);
    await app.press('j', 'x');
    const f = await app.waitFrame(/Delete the checkpoint of 2026-11-24 \d\d:00:00 \(1h ago\)\?/);
    expect(f).toMatch(/It cannot be restored from afterwards/);
    await app.press(KEYS.escape);
    await app.waitFrame(/kept the checkpoint/);
    expect(app.services.calls.some((c) => c.name === 'removeCheckpoint')).toBe(false);
    await app.press('x');
    await app.waitFrame(/Delete the checkpoint of/);
    await app.press('y');
    await app.waitFrame(/deleted the checkpoint of 2026-11-24 \d\d:00:00/);
  });
});

describe('unfreeze', () => {
  it('u shows the ladder and heals a stopped job without asking', async () => {
    const app = renderApp({ initialSelected: 'worker' });
    await app.press('u');
    const f = await app.waitFrame(/worker: healthy again/);
    expect(f).toMatch(/Unfreeze worker/);
    expect(f).toMatch(/✓ Resume the stopped job in worker:0\.0 \(SIGCONT to process group 700\)/);
    expect(f).toMatch(/· Interrupt the foreground job of worker:0\.0 \(SIGINT to process group 700\) \[asks\]/);
  });

  it('a destructive step waits for y, and n stops the ladder', async () => {
    const services = fakeServices({
      planUnfreeze(v) {
        const p = fakeServices().planUnfreeze(v);
        return { ...p, steps: p.steps.filter((s) => s.destructive) };
      },
    });
    const app = renderApp({ initialSelected: 'worker' }, services);
    await app.press('u');
    await app.waitFrame(/Interrupt the foreground job of worker:0\.0[\s\S]*\[y\] do it\s+\[n\/Esc\] stop here/);
    await app.press('n');
    await app.waitFrame(/worker: still frozen/);
  });

  it('u on a session that is not frozen says so', async () => {
    const app = renderApp({ initialSelected: 'api' });
    await app.press('u');
    await app.waitFrame(/api is not frozen \(healthy\); nothing to unfreeze/);
  });
});

describe('terminal sizes and colour', () => {
  it('below 60 columns: a clear message, and q still quits', async () => {
    const app = renderApp({ size: { columns: 50, rows: 20 } });
    const f = await app.waitFrame(/needs a terminal at least 60/);
    expect(f).toMatch(/this one is 50×20/);
    await app.press('q');
    expect(app.onQuit).toHaveBeenCalled();
  });

  it('no line is wider than the terminal, at 60 and at 100 columns (the test terminal is 100 wide)', async () => {
    for (const columns of [60, 100]) {
      const app = renderApp({ size: { columns, rows: 24 }, initialSelected: 'worker' });
      const f = await app.waitFrame(/worker/);
      for (const line of f.split('\n')) expect([...line].length).toBeLessThanOrEqual(columns);
      expect(f.split('\n').length).toBe(23);
    }
  });

  it('without colour the badges still say everything (no escape codes)', async () => {
    const app = renderApp({}, fakeServices(), false);
    const f = await app.waitFrame(/worker/);
    expect(app.rawFrame()).not.toMatch(/\x1b\[(3\d|9\d)m/);
    expect(f).toMatch(/✗ crashed/);
    const colored = renderApp({}, fakeServices(), true);
    await colored.waitFrame(/worker/);
    expect(colored.rawFrame()).toMatch(/\x1b\[31m✗ crashed/);
  });
});
