/**
 * How the daemon reads the end of its control client: a crash, a client to
 * attach again, a server to ask again, or the server's ordinary end.
 */
import { describe, expect, it } from 'vitest';
import { classifyEnd } from '../../src/daemon/server-probe.js';

describe('feed ends', () => {
  const up = (pid: number) => ({ kind: 'up', pid, sessionIds: ['$0'] }) as const;
  const down = { kind: 'down', message: 'No tmux server' } as const;
  const busy = { kind: 'not-answering', message: 'refuses commands' } as const;
  const exit = (reason: string | null) => ({ kind: 'exit', reason, code: reason ? 1 : 0, attached: true }) as const;
  const eof = { kind: 'eof', code: null, stderr: '' } as const;

  it('a crash needs tmux to say so (or no %exit) and the server gone or replaced', () => {
    expect(classifyEnd(exit('server exited unexpectedly'), down, 10)).toBe('crashed');
    expect(classifyEnd(exit('server exited unexpectedly'), up(11), 10)).toBe('crashed'); // a new server already
    expect(classifyEnd(eof, down, 10)).toBe('crashed');
    // Our client was killed, the same server answers: attach again, restore nothing.
    expect(classifyEnd(eof, up(10), 10)).toBe('reattach');
    // kill-server with other clients attached: the server refuses while it exits; never a crash.
    expect(classifyEnd(exit(null), busy, 10)).toBe('recheck');
    expect(classifyEnd(exit(null), down, 10)).toBe('ended');
    expect(classifyEnd(exit(null), up(10), 10)).toBe('reattach');
    expect(classifyEnd(exit('detached'), down, 10)).toBe('ended');
    expect(classifyEnd(eof, busy, 10)).toBe('recheck');
  });

  it('a bare %exit before the client was attached (its session already gone) says nothing of the server: gone is a crash', () => {
    // Chaos seed 3, round 19: the restored server was SIGKILLed as the
    // daemon attached; its client found no session, said a bare %exit,
    // and the crash was read as kill-server — nothing restored.
    const early = { kind: 'exit', reason: null, code: 0, attached: false } as const;
    expect(classifyEnd(early, down, 10)).toBe('crashed');
    expect(classifyEnd(early, up(10), 10)).toBe('reattach');
    expect(classifyEnd(early, busy, 10)).toBe('recheck');
  });
});
