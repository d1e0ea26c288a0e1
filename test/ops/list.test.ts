/**
 * The list op's tmux problem is a typed error chosen by kind: a server that
 * is not running is no problem (the list is what the checkpoints hold);
 * tmux missing is one, reported with its kind.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/context.js';
import { diffSession, liveSessions } from '../../src/ops/diff.js';
import { listSessions } from '../../src/ops/list.js';
import { createTestServer, tempDir } from '../helpers/tmux-server.js';
import { sampleDraft } from '../checkpoints/support/sample-body.js';

const s = createTestServer(); // never started: no server runs under its name
const state = tempDir('tsession-ops-list-');
afterAll(() => {
  s.kill();
  state.cleanup();
});

// A runtime dir of its own: no PTY host of another test answers there.
const ctx = (env: NodeJS.ProcessEnv = {}) => createContext({ socketName: s.name, stateDir: state.path, json: false, debug: false }, { ...s.env, XDG_RUNTIME_DIR: state.path, ...env });

describe('listSessions', () => {
  it('no server running: no sessions and no problem', async () => {
    expect(await listSessions(ctx())).toEqual({ sessions: [], tmuxProblem: null, pty: { hostRunning: false, sessions: [] } });
  });

  it('tmux not installed: the problem with its kind', async () => {
    const { tmuxProblem } = await listSessions(ctx({ PATH: '/nonexistent' }));
    expect(tmuxProblem?.kind).toBe('not-installed');
  });
});

describe('liveSessions and diffSession', () => {
  it('no server running: null, so a saved session reads as not running', async () => {
    expect(await liveSessions(ctx())).toBeNull();
    expect(await diffSession(ctx(), sampleDraft({ sessions: ['work'] }).sessions[0]!)).toBeNull();
  });

  it('tmux not installed: thrown, not taken for "not running"', async () => {
    await expect(liveSessions(ctx({ PATH: '/nonexistent' }))).rejects.toMatchObject({ name: 'TmuxError', kind: 'not-installed' });
  });
});
