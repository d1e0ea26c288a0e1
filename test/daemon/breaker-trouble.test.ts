/**
 * A daemon whose crash breaker opened leaves the sessions down and says so
 * where a person looks: the trouble the interface's header and `tsession
 * status` show (a new user saw a green "watched" over sessions left down).
 * Real server, the daemon in process with the real restore, a breaker of 1.
 */
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../src/ops/journal.js';
import { daemonTrouble, troublePhrase } from '../../src/ops/status.js';
import { count, fastSettings, inProcessDaemons, pid } from '../helpers/in-process-daemon.js';
import { waitFor } from '../helpers/tmux-server.js';

const daemons = inProcessDaemons();

describe('a daemon past its crash breaker', () => {
  it('is trouble until a restore works again', async () => {
    const s = daemons.server();
    s.tmux('new-session', '-d', '-s', 'work', '-x', '80', '-y', '24');
    const { entries } = daemons.watch(s, fastSettings({ breaker: { maxRestores: 1, windowMs: 60_000 } }));
    await waitFor(() => count(entries, 'save', 'ok') === 1, 15_000, 'the first save');
    const trouble = () => troublePhrase(daemonTrouble(entries as unknown as JournalEntry[]));
    expect(trouble()).toBeNull();

    process.kill(pid(s), 'SIGKILL');
    await waitFor(() => count(entries, 'restore', 'ok') === 1, 15_000, 'the first restore');
    expect(trouble()).toBeNull();
    await waitFor(() => s.tmuxTry('list-clients', '-F', '#{client_control_mode}').stdout.includes('1'), 15_000, 'the daemon back on the server');

    process.kill(pid(s), 'SIGKILL');
    await waitFor(() => count(entries, 'restore-breaker-open') === 1, 15_000, 'the breaker open');
    expect(trouble()).toMatch(/^stopped restoring: 2 crashes within \d+ s \(limit 1\); left down; run `tsession -L \S+ restore` by hand$/);
  }, 60_000);
});
