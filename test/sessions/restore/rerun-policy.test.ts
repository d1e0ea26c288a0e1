/**
 * Which saved commands are re-run (pure).
 */
import { describe, expect, it } from 'vitest';
import { decideRerun } from '../../../sessions/restore/rerun-policy.js';

describe('re-run policy', () => {
  const rules = [
    { program: 'vim', whenAnyArg: null },
    { program: 'tail', whenAnyArg: ['-f', '-F', '--follow'] },
  ];
  it('matches on the basename and on required flags', () => {
    expect(decideRerun(['/usr/bin/vim', 'x'], rules).action).toBe('run');
    expect(decideRerun(['/nix/store/h-vim/bin/vim'], rules).action).toBe('run');
    expect(decideRerun(['tail', '-n5', '-f', 'x'], rules).action).toBe('run');
    expect(decideRerun(['tail', '-fn5', 'x'], rules).action).toBe('run');
    expect(decideRerun(['tail', '--follow=name', 'x'], rules).action).toBe('run');
    expect(decideRerun(['tail', 'x'], rules).action).toBe('type');
    expect(decideRerun(['sudo', 'vim'], rules).action).toBe('type');
    expect(decideRerun(['rm', '-rf', '/'], rules).action).toBe('type');
  });
});
