/**
 * A second and third crash restore what the user had, not what a restore
 * was in the middle of (issue 11, defect 1): real tmux, real bash, vim and
 * `tail -f`, `tsession --watch --auto-restore` from the built CLI, the
 * server SIGKILLed three times a few seconds apart. The daemon checkpoints
 * right after each restore ("watch attached"), while restored panes still
 * sit at their gate or wait for their command; those checkpoints must
 * record bash, vim and tail, never the gate's `sh` and nothing running.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readArgv, readStat } from '../../sessions/proc/facts.js';
import { programName } from '../../sessions/proc/program-name.js';
import { createTestServer, waitFor, type TestServer } from '../helpers/tmux-server.js';
import { cleanupAfterEach } from '../helpers/teardown.js';
import { createContext } from '../../src/context.js';
import { journalOf as journal, journalUntil, startWatch } from '../helpers/watch-daemon.js';

const afterTest = cleanupAfterEach();

/** What each pane of `session` runs, from /proc: its shell's name, and its foreground program's (or '-'). */
function panesOf(s: TestServer, session: string): string[] {
  const rows = s.tmux('list-panes', '-s', '-t', session, '-F', '#{pane_pid}').trim().split('\n');
  return rows
    .map((pid) => {
      const st = readStat(Number(pid));
      if (!st) return '?';
      const shell = programName(readArgv(st.pid)?.[0] ?? st.comm);
      const job = st.tpgid > 0 && st.tpgid !== st.pgrp ? programName(readArgv(st.tpgid)?.[0] ?? '?') : '-';
      return `${shell}/${job}`;
    })
    .sort();
}

const serverPid = (s: TestServer) => Number(s.tmux('display-message', '-p', '#{pid}').trim());
const WANT = ['bash/-', 'bash/tail', 'bash/vim'];

describe('repeated crashes under --watch --auto-restore', () => {
  it('bring back bash, vim and tail -f after each of three crashes ~4 s apart', async () => {
    const s = createTestServer();
    afterTest(() => s.kill());
    writeFileSync(join(s.home, 'app.log'), 'line one\n');
    s.tmux('new-session', '-d', '-s', 'work', '-x', '120', '-y', '40', '-c', s.home, '/bin/bash');
    s.tmux('split-window', '-t', 'work', '-c', s.home, '/bin/bash');
    s.tmux('split-window', '-t', 'work', '-c', s.home, '/bin/bash');
    s.tmux('send-keys', '-t', 'work:0.1', 'vim -u NONE -n notes.txt', 'Enter');
    s.tmux('send-keys', '-t', 'work:0.2', 'tail -f app.log', 'Enter');
    await waitFor(() => JSON.stringify(panesOf(s, 'work')) === JSON.stringify(WANT), 10_000, 'bash, vim and tail running');

    startWatch(s, afterTest, ['--interval', '0', '--auto-restore']);
    await journalUntil(s, (e) => e.what === 'save' && e.result === 'ok', 'the first save');

    for (let round = 1; round <= 3; round++) {
      const killedAt = Date.now();
      process.kill(serverPid(s), 'SIGKILL');
      // A try that fails under load (tmux timing out) is retried by the daemon; the round counts once a try succeeds.
      await journalUntil(s, (e) => e.what === 'restore' && e.result === 'ok', `restore ${round}`, 30_000, {}, round);
      await waitFor(() => s.tmuxTry('has-session', '-t', '=work').status === 0, 10_000, `work back (${round})`);
      // The panes become bash, vim and tail again, each from the checkpoint the previous restore was followed by.
      await waitFor(() => JSON.stringify(panesOf(s, 'work')) === JSON.stringify(WANT), 10_000, `bash, vim and tail after crash ${round}`).catch(() => {
        throw new Error(`after crash ${round} the panes run ${JSON.stringify(panesOf(s, 'work'))}, want ${JSON.stringify(WANT)}`);
      });
      // The checkpoint made right after the restore exists before the next crash.
      await journalUntil(s, (e) => e.what === 'save' && e.result === 'ok' && e.cause === 'watch attached', `a save after restore ${round}`, 10_000, {}, round + 1);
      await new Promise((r) => setTimeout(r, Math.max(0, killedAt + 4_000 - Date.now())));
    }
    // Failed tries are allowed (retried above) but said, so a flaky machine shows in the log.
    for (const e of (await journal(s)).filter((x) => x.what === 'restore' && x.result !== 'ok')) console.warn(`a restore try failed and was retried: ${e.detail ?? ''}`);
    // No checkpoint the daemon wrote, during or after a restore, records a gate's sh or loses a program.
    const store = await createContext({ socketName: s.name, json: false, debug: false }, s.env).store();
    const listed = await store.list();
    if (!listed.ok) throw new Error(listed.error.message);
    expect(listed.value.length).toBeGreaterThanOrEqual(4);
    for (const entry of listed.value) {
      const cp = await store.read(entry.id);
      if (!cp.ok) throw new Error(cp.error.message);
      const work = cp.value.body.sessions.find((x) => x.name === 'work');
      const panes = work!.windows.flatMap((w) => w.panes.map((p) => `${p.shell.command}/${p.foreground.kind === 'job' ? p.foreground.command : '-'}`));
      expect(panes.sort(), `checkpoint ${entry.id}`).toEqual(WANT);
    }
  }, 90_000);
});
