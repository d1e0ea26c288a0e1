/**
 * Server selection, like tmux: -S, -L, $TMUX, default (pure).
 */
import { describe, expect, it } from 'vitest';
import { resolveServer } from '../../../sessions/tmux/server.js';

describe('resolveServer', () => {
  it('follows tmux: -S, then -L, then $TMUX, then the default socket', () => {
    const env = { TMUX: '/tmp/tmux-5/work,123,0', TMUX_TMPDIR: '/run/t' };
    expect(resolveServer({ socketPath: '/x/s', socketName: 'n' }, env, 5).socketPath).toBe('/x/s');
    expect(resolveServer({ socketName: 'n' }, env, 5).socketPath).toBe('/run/t/tmux-5/n');
    expect(resolveServer({}, env, 5).socketPath).toBe('/tmp/tmux-5/work');
    expect(resolveServer({}, { TMUX: '/odd,path/s,1,2' }, 5).socketPath).toBe('/odd,path/s');
    expect(resolveServer({}, {}, 7).socketPath).toBe('/tmp/tmux-7/default');
  });
});
