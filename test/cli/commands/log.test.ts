/**
 * The log command through the real CLI: stray words are a usage error (as for
 * status and watch), and an unreadable journal is one line and exit 4. The
 * tmux server's journal and the PTY host's are shown merged by time, each
 * line marked with its source (`--json` too), or one side alone; with no
 * tmux installed it still shows the PTY host's.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ptyStoreDir, serverDir } from '../../../checkpoints/paths.js';
import { JOURNAL_FILE, type JournalEntry } from '../../../src/ops/journal.js';
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

/** Write a journal file of `entries` (one JSON line each) into `dir`. */
function writeJournal(dir: string, entries: readonly JournalEntry[]): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, JOURNAL_FILE), entries.map((e) => `${JSON.stringify(e)}\n`).join(''), { mode: 0o600 });
}

describe('the tmux server journal and the PTY host journal', () => {
  it('are merged by time, each line marked with its source; --tmux and --pty show one side', async () => {
    const state = tempDir();
    try {
      const env = { TSESSION_STATE_DIR: state.path };
      const status = JSON.parse((await runCli(null, ['-L', 'nowhere', 'status', '--json'], env, 20_000)).stdout) as { server: { socketPath: string } };
      const empty = await runCli(null, ['-L', 'nowhere', 'log'], env, 20_000);
      expect(empty).toMatchObject({ code: 0, stderr: '' });
      expect(empty.stdout).toBe('the journals of tmux server -L nowhere (tsession --watch writes it) and of the PTY host (tsession new starts it) are empty\n');
      writeJournal(serverDir(state.path, status.server.socketPath), [
        { at: '2026-12-03T10:00:00.000Z', kind: 'daemon', what: 'started' },
        { at: '2026-12-03T10:00:02.000Z', kind: 'action', what: 'save', result: 'ok', detail: 'cp1', cause: 'interval' },
      ]);
      writeJournal(ptyStoreDir(state.path), [
        { at: '2026-12-03T10:00:01.000Z', kind: 'daemon', what: 'host-started', result: 'ok', detail: 'pid 7, 0 sessions (0 adopted from the keeper)' },
        { at: '2026-12-03T10:00:03.000Z', kind: 'detected', what: 'host-breaker-open', result: 'refused', detail: 'the PTY host failed 5 times', evidence: ['10:00:02Z pid 8: could not start'] },
      ]);
      const both = await runCli(null, ['-L', 'nowhere', 'log'], env, 20_000);
      expect(both).toMatchObject({ code: 0, stderr: '' });
      expect(both.stdout).toBe(
        [
          '2026-12-03 10:00:00Z -L nowhere daemon   started',
          '2026-12-03 10:00:01Z pty        daemon   host-started [ok] pid 7, 0 sessions (0 adopted from the keeper)',
          '2026-12-03 10:00:02Z -L nowhere action   save [ok] cp1 (cause: interval)',
          '2026-12-03 10:00:03Z pty        detected host-breaker-open [refused] the PTY host failed 5 times',
          '    10:00:02Z pid 8: could not start',
          '',
        ].join('\n'),
      );
      const json = await runCli(null, ['-L', 'nowhere', 'log', '--json', '-n', '3'], env, 20_000);
      const lines = json.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as JournalEntry & { source: string });
      expect(lines.map((l) => [l.source, l.what])).toEqual([
        ['pty', 'host-started'],
        ['tmux', 'save'],
        ['pty', 'host-breaker-open'],
      ]);
      const pty = await runCli(null, ['-L', 'nowhere', 'log', '--pty'], env, 20_000);
      expect(pty.stdout).toBe(
        [
          '2026-12-03 10:00:01Z pty daemon   host-started [ok] pid 7, 0 sessions (0 adopted from the keeper)',
          '2026-12-03 10:00:03Z pty detected host-breaker-open [refused] the PTY host failed 5 times',
          '    10:00:02Z pid 8: could not start',
          '',
        ].join('\n'),
      );
      const tmux = await runCli(null, ['-L', 'nowhere', 'log', '--tmux', '--json'], env, 20_000);
      expect(tmux.stdout.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { what: string }).what)).toEqual(['started', 'save']);
      const bothFlags = await runCli(null, ['-L', 'nowhere', 'log', '--pty', '--tmux'], env, 20_000);
      expect(bothFlags).toMatchObject({ code: 2, stdout: '' });
      expect(bothFlags.stderr).toBe('tsession: Expected at most one of --pty and --tmux, got both (neither shows both journals)\n');
    } finally {
      state.cleanup();
    }
  });

  it('with no tmux installed, log shows the PTY host journal and says nothing of tmux', async () => {
    const state = tempDir();
    const noTmux = tempDir(); // an empty PATH: no tmux, no anything
    try {
      writeJournal(ptyStoreDir(state.path), [{ at: '2026-12-03T10:00:01.000Z', kind: 'action', what: 'session-new', result: 'ok', detail: 'work: bash in /home/u (pid 9)' }]);
      const r = await runCli(null, ['log', '--pty'], { TSESSION_STATE_DIR: state.path, PATH: noTmux.path }, 20_000);
      expect(r).toEqual({ code: 0, stdout: '2026-12-03 10:00:01Z pty action   session-new [ok] work: bash in /home/u (pid 9)\n', stderr: '' });
      const all = await runCli(null, ['log', '--json'], { TSESSION_STATE_DIR: state.path, PATH: noTmux.path }, 20_000);
      expect(all).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(all.stdout)).toMatchObject({ what: 'session-new', source: 'pty' });
    } finally {
      state.cleanup();
      noTmux.cleanup();
    }
  });
});
