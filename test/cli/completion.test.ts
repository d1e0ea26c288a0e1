/**
 * `tsession completion bash|zsh|fish` loaded in the real shells: each
 * completes a live session name and a saved one (asked of `tsession
 * __complete`, on the server the command line names), commands and options
 * from the command table.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pty from 'node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';
import { createTestServer, tempDir, waitFor, type TestServer } from '../helpers/tmux-server.js';
import { completeWords } from '../../src/cli/commands/completion.js';

let server: TestServer;
let bin: { path: string; cleanup: () => void };
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  server = createTestServer();
  bin = tempDir('tsession-completion-bin-');
  // The scripts call `tsession`: the built CLI on PATH.
  writeFileSync(join(bin.path, 'tsession'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`);
  chmodSync(join(bin.path, 'tsession'), 0o755);
  env = { ...server.env, PATH: `${bin.path}:${process.env.PATH ?? ''}` };
  server.tmux('new-session', '-d', '-s', 'alpha-live');
  server.tmux('new-session', '-d', '-s', 'beta-saved');
  expect((await runCli(server, ['save'])).code).toBe(0);
  server.tmux('kill-session', '-t', 'beta-saved');
}, 60_000);

afterAll(() => {
  server?.kill();
  bin?.cleanup();
});

function run(file: string, args: string[]): string {
  const r = spawnSync(file, args, { env, encoding: 'utf8', timeout: 30_000 });
  expect(r.stderr).toBe('');
  return r.stdout;
}

describe('completion from the command table', () => {
  it('knows commands, options, option values and operands', () => {
    const words = (c: ReturnType<typeof completeWords>) => (c.kind === 'words' ? c.candidates.map((x) => x.word) : c.kind);
    expect(words(completeWords(['re']))).toEqual(['restore']);
    expect(words(completeWords(['restore', '--re']))).toEqual(['--replace']);
    expect(words(completeWords(['restore', '--from', '']))).toBe('checkpoint');
    expect(words(completeWords(['-L', 'work', 'forget', '']))).toBe('session');
    expect(words(completeWords(['completion', '']))).toEqual(['bash', 'zsh', 'fish']);
    expect(words(completeWords(['import', 'resurrect', '']))).toBe('file');
    expect(words(completeWords(['__compl']))).toEqual([]);
  });
});

describe('completion in real shells', () => {
  it('bash: the completion function fills COMPREPLY with live and saved session names', () => {
    const script = `source <(tsession completion bash)
complete -p tsession
COMP_WORDS=(tsession -L ${server.name} restore "$1"); COMP_CWORD=4; _tsession; printf '[%s]\\n' "\${COMPREPLY[@]}"`;
    expect(run('bash', ['--norc', '--noprofile', '-c', script, 'bash', 'be'])).toBe('complete -F _tsession tsession\n[beta-saved]\n');
    expect(run('bash', ['--norc', '--noprofile', '-c', script, 'bash', ''])).toBe('complete -F _tsession tsession\n[alpha-live]\n[beta-saved]\n');
  }, 30_000);

  it("fish: complete -C lists them, and checkpoint ids after --from, with fish's descriptions", () => {
    const out = run('fish', ['--no-config', '-c', `tsession completion fish | source; complete -C 'tsession -L ${server.name} restore '`]);
    expect(out.split('\n').filter(Boolean).sort()).toEqual(['alpha-live\trunning', 'beta-saved\tsaved']);
    // --from takes a checkpoint id: the store's one checkpoint, described by its time and sessions.
    const ids = run('fish', ['--no-config', '-c', `tsession completion fish | source; complete -C 'tsession -L ${server.name} restore --from '`]);
    expect(ids).toMatch(/^\d{8}T\d{6}\.\d{3}Z-[0-9a-z-]+\t\d{4}-\d\d-\d\dT[\d:.]+Z alpha-live, beta-saved\n$/);
  }, 30_000);

  it('zsh: TAB in an interactive zsh completes the saved session name', async () => {
    const home = tempDir('tsession-completion-zsh-');
    try {
      const p = pty.spawn('zsh', ['-f', '-i'], { env: { ...env, ZDOTDIR: home.path, PS1: '%% ' } as Record<string, string>, cols: 200, rows: 30 });
      let out = '';
      p.onData((d) => (out += d));
      try {
        await waitFor(() => out.includes('%'), 10_000, 'zsh prompt');
        p.write('autoload -Uz compinit && compinit -u -D && source <(tsession completion zsh) && echo READY-$((6*7))\r');
        await waitFor(() => out.includes('READY-42'), 20_000, 'completion loaded');
        p.write(`tsession -L ${server.name} restore be\t`);
        await waitFor(() => out.includes('beta-saved'), 20_000, 'zsh to complete beta-saved');
      } finally {
        p.kill();
      }
    } finally {
      home.cleanup();
    }
  }, 60_000);
});
