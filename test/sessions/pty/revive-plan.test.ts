/**
 * The revive planner on checkpoint records, hostile ones included: a saved
 * shell is found by a known basename or passed over (each rung reported),
 * the cwd falls back to its nearest parent, a program is re-run only when
 * allowlisted, and nothing typed can press Enter.
 */
import { describe, expect, it } from 'vitest';
import type { PtySessionRecord } from '../../../checkpoints/schema.js';
import { planRevive, reviveAllowed, type RevivePlanProbes } from '../../../sessions/pty/revive-plan.js';
import type { RerunRule } from '../../../sessions/restore/rerun-policy.js';

const RULES: RerunRule[] = [
  { program: 'vim', whenAnyArg: null },
  { program: 'tail', whenAnyArg: ['-f'] },
];

const record = (over: Partial<PtySessionRecord> = {}): PtySessionRecord => ({
  name: 'work',
  incarnation: 'abc',
  argv: ['/bin/zsh'],
  isShell: true,
  cwd: { path: '/home/u/proj', source: 'osc633-trusted' },
  cols: 80,
  rows: 24,
  title: '',
  screen: null,
  lastCommand: null,
  foreground: { kind: 'shell' },
  createdAt: 0,
  process: { state: 'running', pid: 10 },
  outputOffset: 0,
  logGeneration: 0,
  revives: [],
  ...over,
});

/** A machine with these executables and directories. */
const machine = (executables: Record<string, string>, dirs: string[], over: Partial<RevivePlanProbes> = {}): RevivePlanProbes => ({
  findExecutable: (n) => executables[n] ?? null,
  nearestExistingDir: (p) => {
    for (let q = p; ; q = q.slice(0, q.lastIndexOf('/')) || '/') {
      if (dirs.includes(q) || q === '/') return q;
    }
  },
  envShell: undefined,
  passwdShell: undefined,
  home: '/home/u',
  ...over,
});

describe('planRevive', () => {
  it('the saved shell in the saved cwd, nothing to say', () => {
    const p = planRevive(record(), RULES, machine({ zsh: '/usr/bin/zsh' }, ['/home/u/proj']));
    expect(p).toMatchObject({ file: '/usr/bin/zsh', cwd: '/home/u/proj', typed: null, notes: [] });
  });

  it('walks saved → $SHELL → passwd → bash → sh and reports each failed rung', () => {
    const p = planRevive(record(), RULES, machine({ sh: '/bin/sh' }, ['/'], { envShell: '/opt/nope/fish', passwdShell: '/usr/bin/ksh' }));
    expect(p.file).toBe('/bin/sh');
    expect(p.ladder.map((s) => `${s.rung}:${s.outcome}`)).toEqual(['saved:not-found', '$SHELL:not-found', 'passwd:not-found', 'bash:not-found', 'sh:started']);
    expect(p.notes.filter((n) => n.includes('not found'))).toHaveLength(4);
  });

  it('a gone cwd starts in its nearest existing parent, reported', () => {
    const p = planRevive(record(), RULES, machine({ zsh: '/usr/bin/zsh' }, ['/home/u']));
    expect(p.cwd).toBe('/home/u');
    expect(p.notes).toContain('cwd "/home/u/proj" is gone; started in /home/u');
  });

  it('the last command line is typed without Enter', () => {
    const last = { commandLine: 'make test', trusted: true, exitCode: 0, durationMs: 5, source: 'osc633-trusted' as const };
    const p = planRevive(record({ lastCommand: last }), RULES, machine({ zsh: '/usr/bin/zsh' }, ['/home/u/proj']));
    expect(p.typed).toEqual({ text: 'make test', enter: false });
  });

  it('an allowlisted foreground program is re-run; another is typed for the user to confirm', () => {
    const vim = planRevive(record({ foreground: { kind: 'job', command: 'vim', argv: ['vim', 'notes.txt'], cwd: null, source: 'proc' } }), RULES, machine({ zsh: '/usr/bin/zsh' }, ['/home/u/proj']));
    expect(vim.typed).toEqual({ text: 'vim notes.txt', enter: true });
    const rm = planRevive(record({ foreground: { kind: 'job', command: 'rm', argv: ['rm', '-rf', 'x y'], cwd: null, source: 'proc' } }), RULES, machine({ zsh: '/usr/bin/zsh' }, ['/home/u/proj']));
    expect(rm.typed).toEqual({ text: "rm -rf 'x y'", enter: false });
  });

  describe('hostile records run nothing', () => {
    const probes = machine({ bash: '/bin/bash', sh: '/bin/sh' }, ['/', '/tmp']);
    it('a saved shell that is not a shell is passed over, never run by its path', () => {
      const p = planRevive(record({ argv: ['/tmp/evil; rm -rf ~'] }), RULES, { ...probes, findExecutable: (n) => (n.includes('evil') ? '/tmp/evil' : probes.findExecutable(n)) });
      expect(p.file).toBe('/bin/bash');
      expect(p.ladder[0]).toMatchObject({ rung: 'saved', outcome: 'not-a-shell' });
    });

    it('a command line with a newline or escape is not typed at all', () => {
      for (const line of ['ls\nrm -rf ~', 'ls\rrm', 'x\x1b[201~rm', 'ls\x03']) {
        const p = planRevive(record({ lastCommand: { commandLine: line, trusted: false, exitCode: null, durationMs: null, source: 'osc633' } }), RULES, probes);
        expect(p.typed).toBeNull();
      }
    });

    it('argv with ; $(…) and newlines is quoted for the shell and not run', () => {
      const p = planRevive(record({ isShell: false, argv: ['sh', '-c', 'touch pwned; $(reboot)\nid'] }), RULES, probes);
      expect(p.file).toBe('/bin/bash');
      expect(p.typed?.enter).toBe(false);
      expect(p.typed?.text).toBe("sh -c $'touch pwned; $(reboot)\\x0aid'");
      expect(p.typed?.text).not.toMatch(/[\n\r]/);
    });

    it('a relative or hostile cwd never escapes to a path it names', () => {
      expect(planRevive(record({ cwd: { path: '../../etc', source: 'heuristic' } }), RULES, probes).cwd).toBe('/');
      expect(planRevive(record({ cwd: { path: '/tmp/$(touch pwned)', source: 'osc7' } }), RULES, probes).cwd).toBe('/tmp');
    });
  });
});

describe('reviveAllowed (the crash-loop breaker)', () => {
  it('allows 3 revives in 10 minutes, not a 4th; old ones age out', () => {
    const now = 1_000_000_000;
    expect(reviveAllowed([now - 1000, now - 2000], now)).toBe(true);
    expect(reviveAllowed([now - 1000, now - 2000, now - 3000], now)).toBe(false);
    expect(reviveAllowed([now - 11 * 60_000, now - 2000, now - 3000], now)).toBe(true);
  });
});
