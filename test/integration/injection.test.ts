/**
 * A checkpoint is untrusted input: hostile names, paths, titles and argv
 * written into one by hand must never run anything beyond what the re-run
 * rules allow. Asserted on the file system: no marker file appears.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../../checkpoints/canonical.js';
import type { CheckpointFile } from '../../checkpoints/schema.js';
import { runCli } from '../helpers/cli.js';
import { createTestServer, tempDir, waitFor, type TestServer } from '../helpers/tmux-server.js';

let server: TestServer;
let dir: { path: string; cleanup: () => void };

beforeAll(() => {
  server = createTestServer();
  dir = tempDir('tsession-inj-');
});
afterAll(() => {
  server?.kill();
  dir?.cleanup();
});

it('hostile values in a hand-written checkpoint never execute', async () => {
  const d = dir.path;
  const env = { TSESSION_STATE_DIR: join(d, 'state') };
  server.tmux('new-session', '-d', '-s', 'seed', '-x', '100', '-y', '30', '-c', d);
  server.tmux('split-window', '-t', 'seed', '-c', d);
  server.tmux('split-window', '-t', 'seed', '-c', d);
  server.tmux('split-window', '-t', 'seed', '-c', d);
  server.tmux('select-layout', '-t', 'seed', 'tiled');
  await waitFor(() => server.tmux('list-panes', '-a', '-F', '#{cursor_x}').split('\n').filter((l) => l && l !== '0').length === 4, 10_000, 'shells');
  const saved = await runCli(server, ['save'], env);
  expect(saved.code).toBe(0);
  const id = saved.stdout.trim();
  const servers = join(d, 'state', 'servers');
  const file = join(servers, readdirSync(servers)[0]!, 'checkpoints', `${id}.json`);
  const cp = JSON.parse(readFileSync(file, 'utf8')) as CheckpointFile;

  // A fake "bash" by path: a checkpoint may only name shells by basename.
  const fakeShell = join(d, 'bash');
  writeFileSync(fakeShell, `#!/bin/sh\ntouch ${d}/pwn-shell\nexec /bin/sh\n`);
  chmodSync(fakeShell, 0o755);
  const pwn = (n: number) => join(d, `pwn${n}`);
  const session = cp.body.sessions[0]!;
  session.name = `x$(touch ${pwn(1)});touch ${pwn(1)}`;
  const w = session.windows[0]!;
  w.name = `\`touch ${pwn(2)}\`#(touch ${pwn(2)})`;
  const [p0, p1, p2, p3] = w.panes;
  p0!.cwd = { path: `${d}/$(touch ${pwn(3)})`, source: 'proc' };
  p0!.title = `#(touch ${pwn(4)})$(touch ${pwn(4)})`;
  p0!.shell = { command: 'bash', argv: [fakeShell] };
  p0!.foreground = { kind: 'job', command: 'sh', argv: ['sh', '-c', `touch ${pwn(5)}`], cwd: d, source: 'proc' };
  // Relative names: the pane starts in d, so an injected `touch pwn6` would land there.
  for (const f of ['f;touch pwn6', '$(touch pwn6)']) writeFileSync(join(d, f), 'literal file\n');
  p1!.cwd = { path: d, source: 'proc' };
  p1!.foreground = { kind: 'job', command: 'less', argv: ['less', 'f;touch pwn6', '$(touch pwn6)'], cwd: d, source: 'proc' };
  p2!.foreground = { kind: 'job', command: 'echo', argv: ['echo', `x\ntouch ${pwn(7)}\n`], cwd: d, source: 'proc' };
  p3!.foreground = { kind: 'job', command: '-rf', argv: ['-rf', `--;touch ${pwn(8)}`], cwd: d, source: 'proc' };
  cp.sha256 = sha256Hex(canonicalJson(cp.body));
  writeFileSync(file, JSON.stringify(cp));

  server.tmux('kill-server');
  const r = await runCli(server, ['restore', '--from', id], env);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  // less is allowlisted and runs with its arguments as literal file names.
  await waitFor(() => server.tmux('list-panes', '-a', '-F', '#{pane_current_command}').includes('less'), 10_000, 'less to run');
  const lessPid = server.tmux('list-panes', '-a', '-F', '#{pane_current_command} #{pane_pid}').split('\n').find((l) => l.startsWith('less '));
  expect(lessPid).toBeTruthy();
  // Give any injected command every chance to run.
  await new Promise((res) => setTimeout(res, 1500));
  const created = readdirSync(d).filter((f) => f.startsWith('pwn'));
  expect(created).toEqual([]);
  expect(existsSync(join(d, 'pwn-shell'))).toBe(false);
  // The restored session exists under the name tmux stores for it.
  expect(server.tmux('ls', '-F', '#{session_name}')).toContain(`x$(touch ${pwn(1)});touch ${pwn(1)}`);
}, 60_000);
