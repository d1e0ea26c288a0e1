import { describe, expect, it } from 'vitest';
import { encodeContentsBlob } from '../../checkpoints/blobs.js';
import { sha256Hex } from '../../checkpoints/canonical.js';
import { assessMeaningful, isDefaultStartupSession } from '../../checkpoints/meaningful.js';
import { defaultStartupDraft, SAMPLE_HOME, sampleDraft } from './support/sample-body.js';

describe('assessMeaningful', () => {
  it('says no to an empty server', () => {
    expect(assessMeaningful({ sessions: [] }, SAMPLE_HOME)).toEqual({ meaningful: false, reason: 'the server has no sessions' });
  });

  it("says no to tmux's default start-up session, with a trailing slash on home too", () => {
    const d = defaultStartupDraft();
    expect(assessMeaningful(d, SAMPLE_HOME)).toEqual({
      meaningful: false,
      reason: `only tmux's default start-up session "0" (a bare shell in ~) is running`,
    });
    expect(assessMeaningful(d, `${SAMPLE_HOME}/`).meaningful).toBe(false);
  });

  it('says no when every session is a start-up one', () => {
    const a = defaultStartupDraft();
    const b = defaultStartupDraft();
    const s1 = b.sessions[0];
    if (s1) s1.name = '1';
    expect(assessMeaningful({ sessions: [...a.sessions, ...b.sessions] }, SAMPLE_HOME).meaningful).toBe(false);
  });

  it('says yes as soon as anything was done', () => {
    const variants = [
      (d = defaultStartupDraft()) => ((d.sessions[0] as { name: string }).name = 'work', d),
      (d = defaultStartupDraft()) => {
        const p = d.sessions[0]?.windows[0]?.panes[0];
        if (p) p.foreground = { kind: 'job', command: 'vim', argv: ['vim'], cwd: SAMPLE_HOME, source: 'proc' };
        return d;
      },
      () => sampleDraft({ sessions: ['0'], panesPerWindow: 2 }),
      (d = defaultStartupDraft()) => ({ ...d, sessions: [...d.sessions, ...sampleDraft().sessions] }),
    ];
    for (const make of variants) expect(assessMeaningful(make(), SAMPLE_HOME).meaningful).toBe(true);
    const s = sampleDraft().sessions[0];
    if (s) expect(isDefaultStartupSession(s)).toBe(false);
  });

  // tmux starts its default session in the directory it was started from:
  // after a crash, that is wherever the person was (issue 11, defect 3).
  it("says no to tmux's default start-up session started outside $HOME", () => {
    const d = defaultStartupDraft();
    const p = d.sessions[0]?.windows[0]?.panes[0];
    if (p) p.cwd = { path: '/srv/project', source: 'proc' };
    expect(assessMeaningful(d, SAMPLE_HOME)).toEqual({
      meaningful: false,
      reason: `only tmux's default start-up session "0" (a bare shell in /srv/project) is running`,
    });
    if (p) p.cwd = { path: `${SAMPLE_HOME}/src/api`, source: 'osc7' };
    expect(assessMeaningful(d, SAMPLE_HOME)).toMatchObject({ meaningful: false, reason: expect.stringContaining('(a bare shell in ~/src/api)') });
  });
});

describe('contents blobs', () => {
  it('encode deterministically, whatever the key order, so equal contents share one name', () => {
    const a = encodeContentsBlob({ v: 1, normal: 'x\n', alternate: null });
    const b = encodeContentsBlob({ alternate: null, normal: 'x\n', v: 1 } as const);
    expect(sha256Hex(a)).toBe(sha256Hex(b));
    expect(sha256Hex(a)).not.toBe(sha256Hex(encodeContentsBlob({ v: 1, normal: 'y\n', alternate: null })));
  });
});
