/**
 * Teardown helpers for tests that freeze things on purpose: continue every
 * process a test stopped, then kill the isolated server even when its
 * shells are still writing their history into the private HOME.
 */
import { rmSync } from 'node:fs';
import type { TestServer } from '../../helpers/tmux-server.js';

/** SIGCONT a pid that may be stopped (a stopped server never exits); ignores a gone one. */
export function continuePid(pid: number | null | undefined): void {
  if (!pid) return;
  try {
    process.kill(pid, 'SIGCONT');
  } catch {
    // already gone
  }
}

/** Kill the server and remove its HOME, retrying while exiting shells still write to it. */
export async function killServer(ts: TestServer | undefined): Promise<void> {
  if (!ts) return;
  for (let attempt = 0; ; attempt++) {
    try {
      ts.kill();
      return;
    } catch (e) {
      // bash writes .bash_history as it exits on SIGHUP: ENOTEMPTY for a moment.
      if (attempt >= 20) throw e;
      await new Promise((r) => setTimeout(r, 100));
      try {
        rmSync(ts.home, { recursive: true, force: true });
        return;
      } catch {
        // try again
      }
    }
  }
}
