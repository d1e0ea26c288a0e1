/**
 * The interface's flows with fake services: R asks once for a whole batch
 * and Esc cancels all of it; a copy (`--as`) from a typed name; replacing
 * the session the interface runs in goes to a detached restore; a paste
 * (`/db⏎d` in one read) is each key; status lines go when what they
 * describe changes; the journal shows whole entries under a cursor; `y`
 * copies a checkpoint id; the empty state and the header name the server.
 */
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/tui/model.js';
import { classify, type SavedSession } from '../../sessions/health/classify.js';
import { entry, liveServer, liveSession, observation, recordOf, saved, serverFacts } from './helpers/fixtures.js';
import { fakeServices, sampleSnapshot } from './helpers/fake-services.js';
import { KEYS, renderApp } from './helpers/render-app.js';

afterEach(() => cleanup());

/** api live; gone and old crashed, saved in two different checkpoints. */
function twoCrashed(): Snapshot {
  const api = liveSession('api', { main: 1 });
  const gone = liveSession('gone', { psql: 1, dump: 1 });
  const old = liveSession('old', { main: 1 });
  const obs = observation(liveServer([api]));
  const savedMap = new Map<string, SavedSession>([
    ['api', saved(recordOf(api), 'cp-a', '2026-11-24T09:55:00Z')],
    ['gone', saved(recordOf(gone), 'cp-a', '2026-11-24T09:55:00Z')],
    ['old', saved(recordOf(old), 'cp-b', '2026-11-24T09:30:00Z')],
  ]);
  return {
    at: obs.at,
    report: classify(obs, savedMap),
    checkpoints: [entry('cp-a', '2026-11-24T09:55:00Z', ['api', 'gone']), entry('cp-b', '2026-11-24T09:30:00Z', ['old'])],
    panes: obs.panes,
    problem: null,
  };
}

describe('R: one question for the whole batch', () => {
  it('lists every crashed session from every checkpoint in one question; Esc cancels all of it', async () => {
    const services = fakeServices({}, twoCrashed());
    const app = renderApp({}, services);
    await app.waitFrame(/old\s+✗ crashed/);
    await app.press('R');
    const f = await app.waitFrame(/Restore gone, old\?/);
    expect(f).toMatch(/From the checkpoint of 2026-11-24 \d\d:55:00[\s\S]*gone: 2 windows[\s\S]*From the checkpoint of 2026-11-24 \d\d:30:00[\s\S]*old: /);
    expect(f).toMatch(/\[n\/Esc\] cancel all/);
    await app.press(KEYS.escape);
    await app.waitFrame(/restore cancelled: nothing was restored/);
    expect(services.calls.filter((c) => c.name === 'restore')).toEqual([]);
    // No second question comes after the first is cancelled.
    expect(app.frame()).not.toMatch(/Restore old\?/);
  });

  it('y restores them all, one checkpoint after the other, without asking again', async () => {
    const services = fakeServices({}, twoCrashed());
    const app = renderApp({}, services);
    await app.press('R');
    await app.waitFrame(/Restore gone, old\?/);
    await app.press('y');
    await app.waitFrame(/restored old/);
    expect(services.calls.filter((c) => c.name === 'restore').map((c) => c.args[0])).toEqual([
      { checkpointId: 'cp-a', sessions: ['gone'], replace: false },
      { checkpointId: 'cp-b', sessions: ['old'], replace: false },
    ]);
  });
});

describe('a restores a copy under a typed name (--as)', () => {
  it('suggests a free name, takes typing and Backspace, then asks once and restores the copy', async () => {
    const app = renderApp({ initialSelected: 'db' });
    await app.press('a');
    let f = await app.waitFrame(/Restore a copy of db as:/);
    expect(f).toMatch(/> db-copy▏/);
    await app.press(KEYS.backspace, KEYS.backspace, KEYS.backspace, KEYS.backspace, 'o', 'l', 'd');
    await app.waitFrame(/> db-old▏/);
    await app.press(KEYS.enter);
    f = await app.waitFrame(/Restore db as db-old\?/);
    // A copy replaces nothing.
    expect(f).not.toMatch(/replaces the running session/);
    await app.press('y');
    await app.waitFrame(/restored db/);
    expect(app.services.calls.find((c) => c.name === 'restore')?.args[0]).toEqual({ checkpointId: 'cp-new', sessions: ['db'], replace: false, as: 'db-old' });
  });

  it('Esc in the prompt cancels; a name already taken is refused', async () => {
    const app = renderApp({ initialSelected: 'db' });
    await app.press('a');
    await app.waitFrame(/Restore a copy of db as:/);
    await app.press(KEYS.escape);
    await app.waitFrame(/restore cancelled/);
    await app.press('a');
    await app.waitFrame(/> db-copy▏/);
    // A paste of a name and Enter, in one read.
    app.stdin.write('\x7f\x7f\x7f\x7f\x7f\x7f\x7fapi\r');
    await app.waitFrame(/api already exists: choose another name \(a\)/);
    expect(app.services.calls.some((c) => c.name === 'previewRestore')).toBe(false);
  });
});

describe('replacing the session the interface runs in', () => {
  it('says the interface closes with it and restores through a detached process, not in this one', async () => {
    const snapshot = sampleSnapshot();
    const dbPane = snapshot.report.sessions.find((v) => v.session === 'db')!.liveSession!.windows[0]!.panes[0]!.id;
    const services = fakeServices({}, snapshot);
    const app = renderApp({ initialSelected: 'db' }, { ...services, info: { ...services.info, ownPane: dbPane } });
    await app.press('r');
    const f = await app.waitFrame(/Replace db\?/);
    expect(f).toMatch(/This interface runs in db: it closes with it\. The restore runs on its own and is journaled/);
    await app.press('y');
    await app.waitFrame(/restoring db in process 4242/);
    expect(services.calls.find((c) => c.name === 'restoreDetached')?.args[0]).toEqual({ checkpointId: 'cp-new', sessions: ['db'], replace: true });
    expect(services.calls.some((c) => c.name === 'restore')).toBe(false);
  });
});

describe('keys faster than a frame', () => {
  it('a paste of "/db⏎d" in one read filters to db, leaves the filter, and opens the diff', async () => {
    const app = renderApp();
    await app.waitFrame(/▶ api/);
    app.stdin.write('/db\rd');
    const f = await app.waitFrame(/What restoring db would change/);
    expect(f).toMatch(/\/ db\s+\(filtered: \/ edits\)/);
    expect(f).not.toMatch(/\\x0d/);
    expect(f).toMatch(/tsession · tmux -L test · 1 of 5 sessions/);
  });

  it('arrows inside a burst stay arrows', async () => {
    const app = renderApp();
    await app.waitFrame(/▶ api/);
    app.stdin.write('j\x1b[Bj');
    await app.waitFrame(/▶ worker/);
  });
});

describe('nothing stale', () => {
  it('a status line about a session goes when that session changes', async () => {
    const services = fakeServices();
    const app = renderApp({ initialSelected: 'gone', refreshMs: 20 }, services);
    await app.press(KEYS.enter);
    await app.waitFrame(/gone is not running: r restores it/);
    // gone comes back (restored elsewhere): the next refresh drops the line.
    const back = liveSession('gone', { psql: 1, dump: 1 });
    const api = liveSession('api', { editor: 2, logs: 1 });
    const obs = observation(liveServer([api, back]));
    services.current = { ...services.current, report: classify(obs, new Map()), panes: obs.panes };
    const f = await app.waitFrame((x) => /gone\s+✓ healthy/.test(x));
    expect(f).not.toMatch(/is not running/);
  });

  it('moving to another session clears a hint about the one before; a hint goes with the next key', async () => {
    const app = renderApp({ initialSelected: 'gone' });
    await app.press(KEYS.enter);
    await app.waitFrame(/gone is not running/);
    await app.press('k');
    await app.waitFrame((x) => !/is not running/.test(x));
    await app.press('z');
    await app.waitFrame(/"z" does nothing here/);
    await app.press('j');
    await app.waitFrame((x) => !/does nothing here/.test(x));
  });

  it('an open diff is compared again when a refresh changes the live session', async () => {
    const services = fakeServices();
    const app = renderApp({ initialSelected: 'db', refreshMs: 20 }, services);
    await app.press('d');
    await app.waitFrame(/"dump" is gone/);
    const before = services.calls.filter((c) => c.name === 'diff').length;
    const db = liveSession('db', { psql: 1, dump: 1, extra: 1 });
    const obs = observation(liveServer([db]));
    services.current = { ...services.current, report: classify(obs, new Map()), panes: obs.panes };
    await app.waitFrame(() => services.calls.filter((c) => c.name === 'diff').length > before);
  });
});

describe('journal', () => {
  it('shows whole entries, wrapped; Tab then ↓ moves a visible cursor', async () => {
    const long = `restore of a session with a long name ${'x'.repeat(120)} from the checkpoint`;
    const journal = [
      { at: '2026-11-24T09:58:00.000Z', kind: 'action', what: 'save', result: 'ok', cause: 'interval', detail: 'cp-new (3 sessions, 5 panes)' },
      { at: '2026-11-24T09:59:01.000Z', kind: 'action', what: 'restore', result: 'failed', detail: long, evidence: ['one', 'two'] },
    ] as const;
    const app = renderApp({}, fakeServices({}, { ...sampleSnapshot(), journal }));
    await app.press('J');
    let f = await app.waitFrame(/Journal of this server/);
    // Every character of the long detail is on the screen, over several lines.
    expect(f.replace(/\s+/g, '')).toContain(long.replace(/\s+/g, ''));
    expect(f).toMatch(/▶ 2026-11-24 \d\d:59:01 action\s+restore \[failed\]/);
    await app.press(KEYS.tab, 'j');
    f = await app.waitFrame(/▶ 2026-11-24 \d\d:58:00 action\s+save/);
    expect(f).not.toMatch(/▶ 2026-11-24 \d\d:59:01/);
  });
});

describe('y copies a checkpoint id', () => {
  it('puts the id on the clipboard and shows it', async () => {
    const copied: string[] = [];
    const app = renderApp({ initialSelected: 'api', onCopy: (t) => void copied.push(t) });
    await app.press('t', 'j', 'y');
    await app.waitFrame(/copied: cp-old \(2026-11-24 \d\d:00:00\)/);
    expect(copied).toEqual(['cp-old']);
  });
});

describe('the server, named', () => {
  it('with no server running, the empty list says so and how to start one', async () => {
    const obs = observation(null, { server: serverFacts({ answer: 'no-server' }) });
    const snapshot: Snapshot = { at: obs.at, report: classify(obs, new Map()), checkpoints: [], panes: [], problem: null };
    const app = renderApp({}, fakeServices({}, snapshot));
    const f = await app.waitFrame(/no tmux server runs/);
    expect(f.replace(/\n\s*/g, ' ')).toMatch(/no tmux server runs on -L test and no checkpoint remembers a session — start one: tmux -L test new -s work/);
    expect(f).toMatch(/· no server running/);
  });

  it('launched inside tmux ($TMUX), the header names the socket', async () => {
    const services = fakeServices();
    const app = renderApp({}, { ...services, info: { ...services.info, serverLabel: '$TMUX', socketPath: '/tmp/tmux-1000/work' } });
    const f = await app.waitFrame(/tsession · tmux -L work · 5 sessions/);
    expect(f).not.toMatch(/\$TMUX/);
  });
});

describe('HEALTH: changed as the diff shows it', () => {
  /** api live in /home/ann (its /proc cwd), saved with `cwd` from `source`. */
  function savedCwd(cwd: string, source: 'proc' | 'osc7'): Snapshot {
    const api = liveSession('api', { main: 1, logs: 1 });
    const rec = recordOf(liveSession('api', { main: 1 }));
    rec.windows[0]!.panes[0]!.cwd = { path: cwd, source };
    const obs = observation(liveServer([api]));
    const savedMap = new Map<string, SavedSession>([['api', saved(rec, 'cp-a', '2026-11-24T09:55:00Z')]]);
    return { at: obs.at, report: classify(obs, savedMap), checkpoints: [entry('cp-a', '2026-11-24T09:55:00Z', ['api'])], panes: obs.panes, problem: null };
  }

  it('a window added and a cwd changed since the checkpoint make a session changed, with what changed as evidence', async () => {
    const app = renderApp({ initialSelected: 'api' }, fakeServices({}, savedCwd('/srv', 'proc')));
    const f = await app.waitFrame(/≠ changed/);
    expect(f).toMatch(/since the checkpoint: cwd \/srv → ~, \+window logs/);
    expect(f).toMatch(/1 session, 1 changed/);
  });

  it('a cwd the shell reported (a logical path) is not a change against /proc', async () => {
    const app = renderApp({ initialSelected: 'api' }, fakeServices({}, savedCwd('/home/ann/link', 'osc7')));
    const f = await app.waitFrame(/since the checkpoint/);
    expect(f).toMatch(/since the checkpoint: \+window logs/);
    expect(f).not.toMatch(/cwd /);
  });
});
