/** `tsession parse` through the real CLI: events as JSON lines, stats last, clear errors. */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmux-server.js';

const dir = tempDir('tsession-parse-');
afterAll(() => dir.cleanup());

function runWithStdin(args: string[], input: Buffer): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

it('prints marker events in order with trust, then stats', async () => {
  const nonce = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const stream = Buffer.from(
    `\x1b]633;A\x07$ \x1b]633;B\x07\x1b]633;E;echo a\\x3bb;${nonce}\x07\x1b]633;C\x07a;b\r\n\x1b]633;D;0\x07` +
      `\x1b]633;E;rm -rf ~;guess\x07\x1b]7;file://host/tmp/x%20y\x07`,
  );
  const file = join(dir.path, 'rec.bin');
  writeFileSync(file, stream);
  const r = await runCli(null, ['parse', '--nonce', nonce, file]);
  expect(r.code).toBe(0);
  const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(events.map((e) => e.type)).toEqual([
    'prompt-start',
    'command-start',
    'command-line',
    'command-executed',
    'command-finished',
    'command-line',
    'cwd',
    'stats',
  ]);
  expect(events[2]).toMatchObject({ commandLine: 'echo a;b', trusted: true, offset: 18 });
  expect(events[4]).toMatchObject({ exitCode: 0, dialect: '633' });
  expect(events[5]).toMatchObject({ commandLine: 'rm -rf ~', trusted: false });
  expect(events[6]).toMatchObject({ cwd: '/tmp/x y', source: '7', host: 'host' });
  expect(events[7]).toMatchObject({ bytes: stream.length, dialect: '633' });
});

it('binary garbage on stdin: stats only, exit 0', async () => {
  const r = await runWithStdin(['parse', '-'], randomBytes(1 << 16));
  expect(r.code).toBe(0);
  const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { type: string; bytes: number };
  expect(last).toMatchObject({ type: 'stats', bytes: 1 << 16 });
});

it('an unreadable file: one line, exit 2', async () => {
  const r = await runCli(null, ['parse', join(dir.path, 'missing.bin')]);
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toContain('missing.bin');
});
