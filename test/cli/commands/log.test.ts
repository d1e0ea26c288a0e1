/**
 * The log command through the real CLI: stray words are a usage error (as for
 * status and watch), and an unreadable journal is one line and exit 4.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serverDir } from '../../../checkpoints/paths.js';
import { JOURNAL_FILE } from '../../../src/ops/journal.js';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmux-server.js';

describe('the command line', () => {
  it('log and status refuse stray words; an unreadable journal is one line and exit 4', async () => {
    const state = tempDir();
    try {
      const env = { TSESSION_STATE_DIR: state.path };
      for (const cmd of ['log', 'status', '--watch']) {
        const r = await runCli(null, ['-L', 'nowhere', cmd, 'extra'], env, 20_000);
        expect(r, cmd).toMatchObject({ code: 2 });
        expect(r.stderr).toMatch(/^tsession: Expected no arguments for tsession (log|status|watch), got "extra"/);
      }
      // A directory where the journal file should be.
      const status = JSON.parse((await runCli(null, ['-L', 'nowhere', 'status', '--json'], env, 20_000)).stdout) as {
        watching: boolean;
        server: { socketPath: string };
      };
      expect(status.watching).toBe(false);
      const dir = serverDir(state.path, status.server.socketPath);
      mkdirSync(join(dir, JOURNAL_FILE), { recursive: true });
      const r = await runCli(null, ['-L', 'nowhere', 'log'], env, 20_000);
      expect(r).toMatchObject({ code: 4, stdout: '' });
      expect(r.stderr).toMatch(/^tsession: Cannot read the journal \S+journal\.jsonl: EISDIR\n$/);
    } finally {
      state.cleanup();
    }
  });
});
