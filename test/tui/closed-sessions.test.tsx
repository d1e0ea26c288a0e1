/**
 * The interface and closed sessions (issue 11, defect 6): a session that
 * left on purpose shows "– closed" (not red, not counted), R does not offer
 * it, and f forgets a session that is not running after asking.
 */
import { cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { classify } from '../../sessions/health/classify.js';
import { fakeServices, sampleSnapshot } from './helpers/fake-services.js';
import { KEYS, renderApp } from './helpers/render-app.js';
import { liveServer, observation } from './helpers/fixtures.js';
import type { Snapshot } from '../../src/tui/model.js';

afterEach(() => cleanup());

const rowOf = (frame: string, name: string) => frame.split('\n').find((l) => new RegExp(`^[ ▶] ${name}\\s`).test(l)) ?? '';

/** The sample, with "gone" closed on purpose (renamed to "api"). */
function withClosed(): Snapshot {
  const snap = sampleSnapshot();
  const gone = snap.report.sessions.find((v) => v.session === 'gone')!;
  const savedMap = new Map([['gone', { ...gone.saved!, departed: { why: 'renamed' as const, at: '2026-11-24T09:58:00Z', to: 'api' } }]]);
  const report = classify(observation(liveServer([])), savedMap);
  return { ...snap, report: { ...snap.report, sessions: [...snap.report.sessions.filter((v) => v.session !== 'gone'), ...report.sessions] } };
}

describe('closed sessions in the interface', () => {
  it('shows closed, not crashed, and does not count it', async () => {
    const app = renderApp({ initialSelected: 'gone' }, fakeServices({}, withClosed()));
    const f = await app.waitFrame(/departure: renamed to "api"/);
    expect(rowOf(f, 'gone')).toMatch(/– closed/);
    expect(f).not.toMatch(/crashed/);
    expect(f).toMatch(/5 sessions, 1 frozen, 1 changed/);
  });

  it('R offers no closed session', async () => {
    const app = renderApp({}, fakeServices({}, withClosed()));
    await app.waitFrame(/gone/);
    await app.press('R');
    await app.waitFrame(/no crashed session to restore/);
    expect(app.services.calls.some((c) => c.name === 'previewRestore' || c.name === 'restore')).toBe(false);
  });

  it('f asks, then forgets a session that is not running; a running one is refused', async () => {
    const app = renderApp({ initialSelected: 'gone' }, fakeServices({}, withClosed()));
    await app.waitFrame(/gone/);
    await app.press('f');
    await app.waitFrame(/Forget gone\?/);
    await app.press(KEYS.escape);
    await app.waitFrame(/kept gone/);
    expect(app.services.calls.some((c) => c.name === 'forgetSession')).toBe(false);
    await app.press('f');
    await app.waitFrame(/Forget gone\?/);
    await app.press('y');
    await app.waitFrame(/forgot gone/);
    expect(app.services.calls.find((c) => c.name === 'forgetSession')?.args).toEqual(['gone']);

    const live = renderApp({ initialSelected: 'api' });
    await live.waitFrame(/api/);
    await live.press('f');
    await live.waitFrame(/api is running: only a session that is not running can be forgotten/);
  });
});
