/**
 * Saved commands are typed only once the shell has drawn its prompt (issue
 * 11, defect 2): restored into real bash, zsh and fish whose rc files take
 * a moment (a command substitution, as `eval "$(pyenv init -)"` is), a
 * typed command and a re-run one each appear after the prompt on its line,
 * never echoed by the terminal before the prompt is drawn. Real tmux, the
 * built CLI.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readArgv, readStat } from '../../../sessions/proc/facts.js';
import { runCli } from '../../helpers/cli.js';
import { createTestServer, waitFor, type TestServer } from '../../helpers/tmux-server.js';
import { cleanupAfterEach } from '../../helpers/teardown.js';

const afterTest = cleanupAfterEach();
const PROMPT = 'READY> ';
const SHELLS = ['bash', 'zsh', 'fish'] as const;

/** rc files that take ~0.8 s in a command substitution, then set a prompt we can find. */
function slowRcFiles(home: string): void {
  writeFileSync(join(home, '.bashrc'), `x=$(sleep 0.8; echo ok)\nPS1='${PROMPT}'\n`);
  writeFileSync(join(home, '.zshrc'), `x=$(sleep 0.8; echo ok)\nPS1='${PROMPT}'\n`);
  mkdirSync(join(home, '.config', 'fish'), { recursive: true });
  writeFileSync(
    join(home, '.config', 'fish', 'config.fish'),
    `set -g fish_greeting\nset x (sleep 0.8; echo ok)\nfunction fish_prompt; printf '${PROMPT}'; end\nfunction fish_right_prompt; end\n`,
  );
}

/** The foreground program of a pane, or null while its shell has the terminal. */
function foreground(s: TestServer, target: string): string | null {
  const st = readStat(Number(s.tmux('display-message', '-p', '-t', target, '#{pane_pid}').trim()));
  return st && st.tpgid > 0 && st.tpgid !== st.pgrp ? (readArgv(st.tpgid) ?? []).join(' ') : null;
}

describe('typing saved commands into restored shells', () => {
  // One restore per shell: a restore types every command once all its shells are ready, so a slower shell would hide a faster one's mistake.
  it.each(SHELLS)('types and re-runs them after the prompt in %s with slow rc files', async (sh) => {
    const s = createTestServer();
    afterTest(() => s.kill());
    slowRcFiles(s.home);
    writeFileSync(join(s.home, 'app.log'), 'one\n');
    s.tmux('new-session', '-d', '-s', sh, '-x', '160', '-y', '40', '-c', s.home, `/usr/bin/${sh}`);
    s.tmux('split-window', '-t', sh, '-c', s.home, `/usr/bin/${sh}`);
    // Pane 0: a command typed, not run (sleep is not allowlisted); pane 1: tail -f, re-run.
    const wants = ['sleep 1000', 'tail -f app.log'];
    for (const [i, want] of wants.entries()) {
      const target = `${sh}:0.${i}`;
      await waitFor(() => s.tmux('capture-pane', '-p', '-t', target).includes(PROMPT.trim()), 10_000, `prompt in ${target}`).catch(() => {
        throw new Error(`no prompt in ${target}:\n${s.tmux('capture-pane', '-p', '-t', target)}`);
      });
      s.tmux('send-keys', '-t', target, `clear; ${want}`, 'Enter');
      await waitFor(() => foreground(s, target), 10_000, `job in ${target}`);
    }
    expect((await runCli(s, ['save'])).code).toBe(0);
    // Another session keeps the server up.
    s.tmux('new-session', '-d', '-s', 'keep', '-x', '80', '-y', '24', 'cat');
    s.tmux('kill-session', '-t', sh);

    const r = await runCli(s, ['restore', sh]);
    expect(r.code, r.stderr).toBe(0);
    for (const [i, want] of wants.entries()) {
      const target = `${sh}:0.${i}`;
      const screen = await waitFor(
        () => {
          const text = s.tmux('capture-pane', '-p', '-t', target);
          return text.includes(want) && text.includes(PROMPT.trim()) ? text : null;
        },
        10_000,
        `${want} typed in ${sh}`,
      ).catch(() => {
        throw new Error(`${sh} pane ${target} shows:\n${s.tmux('capture-pane', '-p', '-t', target)}`);
      });
      // Every line holding the command starts with the prompt: nothing was echoed before the prompt was drawn.
      const lines = screen.split('\n').filter((l) => l.includes(want));
      expect(lines, `${sh} pane ${target}:\n${screen}`).toEqual([`${PROMPT}${want}`]);
    }
    await waitFor(() => foreground(s, `${sh}:0.1`)?.startsWith('tail'), 5_000, `tail re-run in ${sh}`);
  }, 30_000);
});
