/** `tsession pty-host --print-unit`: a systemd user unit whose stop leaves the keeper and its shells alone. */
import { describe, expect, it } from 'vitest';
import { ptyWorld } from '../pty/helpers.js';

describe('pty-host --print-unit', () => {
  it('prints a unit that restarts the host on failure and kills only the host process on stop', async () => {
    const w = ptyWorld();
    try {
      const r = await w.cli(['pty-host', '--print-unit']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^ExecStart=\S+node\S* \S+tsession\.cjs --state-dir \S+ pty-host$/m);
      expect(r.stdout).toContain('KillMode=process');
      expect(r.stdout).toContain('Restart=on-failure');
      expect(r.stdout).toContain(`Environment=XDG_RUNTIME_DIR=${w.env.XDG_RUNTIME_DIR}`);
      // Printing a unit starts nothing.
      expect(await w.hostPid()).toBeNull();
    } finally {
      await w.destroy();
    }
  });
});
