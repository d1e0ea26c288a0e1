/**
 * A save while a restore is still under way (issue 11, defect 1) records
 * what the restore is making, never its passing states: with shells whose
 * rc files take 1.5 s, `tsession save` runs while the restored panes wait
 * for their shells and their commands. Real tmux, real bash, the built CLI.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PaneRecord } from '../../checkpoints/schema.js';
import { createContext } from '../../src/context.js';
import { CLI, runCli } from '../helpers/cli.js';
import { createTestServer, waitFor, type TestServer } from '../helpers/tmux-server.js';
import { cleanupAfterEach, stopChild } from '../helpers/teardown.js';

const afterTest = cleanupAfterEach();

async function panesIn(s: TestServer, id: string): Promise<PaneRecord[]> {
  const store = await createContext({ socketName: s.name, json: false, debug: false }, s.env).store();
  const cp = await store.read(id);
  if (!cp.ok) throw new Error(cp.error.message);
  return cp.value.body.sessions.find((x) => x.name === 'work')!.windows.flatMap((w) => w.panes);
}

const summary = (p: PaneRecord) => ({ shell: p.shell.command, fg: p.foreground.kind === 'job' ? p.foreground.argv : null, contents: p.contents?.blob ?? null });

describe('a save during a restore', () => {
  it('records the saved panes the restore is making: shell, program, contents', async () => {
    const s = createTestServer();
    afterTest(() => s.kill());
    writeFileSync(join(s.home, '.bashrc'), `x=$(sleep 1.5)\nPS1='$ '\n`);
    s.tmux('new-session', '-d', '-s', 'keep', '-x', '80', '-y', '24', 'cat');
    s.tmux('new-session', '-d', '-s', 'work', '-x', '120', '-y', '30', '-c', s.home, '/bin/bash');
    s.tmux('split-window', '-t', 'work', '-c', s.home, '/bin/bash');
    await waitFor(() => s.tmux('capture-pane', '-p', '-t', 'work:0.1').includes('$'), 10_000, 'the prompt');
    s.tmux('send-keys', '-t', 'work:0.0', 'echo hello there', 'Enter');
    s.tmux('send-keys', '-t', 'work:0.1', 'vim -u NONE -n notes.txt', 'Enter');
    await waitFor(() => s.tmux('capture-pane', '-p', '-t', 'work:0.0').includes('hello there\n'), 10_000, 'output');
    await waitFor(() => s.tmux('display-message', '-p', '-t', 'work:0.1', '#{pane_current_command}').trim() === 'vim', 10_000, 'vim');
    const first = await runCli(s, ['save']);
    expect(first.code).toBe(0);
    const saved = (await panesIn(s, first.stdout.trim())).map(summary);
    expect(saved).toEqual([
      { shell: 'bash', fg: null, contents: expect.any(String) },
      { shell: 'bash', fg: ['vim', '-u', 'NONE', '-n', 'notes.txt'], contents: expect.any(String) },
    ]);
    s.tmux('kill-session', '-t', 'work');

    // The restore waits 1.5 s for the shells' rc files before re-running vim; save meanwhile.
    const restore = spawn(process.execPath, [CLI, '-L', s.name, 'restore', 'work'], { env: s.env, stdio: 'ignore' });
    afterTest(() => stopChild(restore));
    const restored = new Promise<number | null>((r) => restore.on('close', r));
    await waitFor(() => s.tmuxTry('has-session', '-t', '=work').status === 0, 10_000, 'work renamed into place');
    const during = await runCli(s, ['save', '--force']);
    expect(during.code, during.stderr).toBe(0);
    expect(s.tmux('display-message', '-p', '-t', 'work:0.1', '#{pane_current_command}').trim()).not.toBe('vim');
    expect((await panesIn(s, during.stdout.trim())).map(summary)).toEqual(saved);

    // Once settled, saves see the live panes again (vim running for real, contents captured).
    expect(await restored).toBe(0);
    await waitFor(() => s.tmux('display-message', '-p', '-t', 'work:0.1', '#{pane_current_command}').trim() === 'vim', 10_000, 'vim re-run');
    await waitFor(() => s.tmux('show-options', '-pqv', '-t', 'work:0.0', '@tsession-pending').trim() === '', 5_000, 'pending marks gone');
    const after = await runCli(s, ['save', '--force']);
    const settled = (await panesIn(s, after.stdout.trim())).map(summary);
    expect(settled.map((p) => [p.shell, p.fg])).toEqual(saved.map((p) => [p.shell, p.fg]));
  });
});
