/** Reaching a session: attach from outside tmux (or nested), switch-client inside the same server. */
import { describe, expect, it } from 'vitest';
import { attachCommand, attachMode } from '../../src/tui/attach.js';

const server = { socketPath: '/tmp/tmux-0/work', label: '-L work' };

describe('attach', () => {
  it('outside tmux: attach-session -t =NAME (exact name)', () => {
    const c = attachCommand(server, 'api', { PATH: '/bin' });
    expect(c.mode).toBe('attach');
    expect(c.argv).toEqual(['-S', '/tmp/tmux-0/work', 'attach-session', '-t', '=api']);
  });

  it('inside a client of the same server: switch-client, keeping $TMUX so tmux finds the client', () => {
    const env = { TMUX: '/tmp/tmux-0/work,123,0', TMUX_PANE: '%3' };
    expect(attachMode(server, env)).toBe('switch-client');
    const c = attachCommand(server, 'api', env);
    expect(c.argv).toEqual(['-S', '/tmp/tmux-0/work', 'switch-client', '-t', '=api']);
    expect(c.env.TMUX).toBe(env.TMUX);
  });

  it('inside another server: a nested attach without $TMUX (tmux refuses to nest otherwise)', () => {
    const env = { TMUX: '/tmp/tmux-0/other,99,1', TMUX_PANE: '%1' };
    const c = attachCommand(server, 'api', env);
    expect(c.mode).toBe('attach');
    expect(c.env.TMUX).toBeUndefined();
    expect(c.env.TMUX_PANE).toBeUndefined();
  });

  it('a socket path holding commas is read from $TMUX correctly', () => {
    const odd = { socketPath: '/tmp/a,b/sock', label: '-S /tmp/a,b/sock' };
    expect(attachMode(odd, { TMUX: '/tmp/a,b/sock,5,0' })).toBe('switch-client');
  });
});
