/** `tsession parse`, called as a function (the CLI wiring is tested with the CLI). */
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/cli/commands/parse.js';
import { UserError } from '../../../src/user-error.js';
import { tempDir } from '../../helpers/tmux-server.js';
import { cleanupAfterEach } from '../../helpers/teardown.js';

const fixturePath = (name: string) => new URL(`../../../fixtures/streams/${name}`, import.meta.url).pathname;
const NONCE = '0123456789abcdef0123456789abcdef';

const afterTest = cleanupAfterEach();

/** A writable that collects text, optionally slow to drain (tiny buffer) to exercise backpressure. */
function collector(highWaterMark = 16 * 1024) {
  let text = '';
  const out = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString('utf8');
      setImmediate(done);
    },
  });
  return { out, lines: () => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

async function run(opts: Parameters<typeof parseCommand>[0], highWaterMark?: number) {
  const c = collector(highWaterMark);
  await parseCommand(opts, c.out);
  return c.lines();
}

describe('tsession parse', () => {
  it('prints marker events in order with the documented shapes, then stats', async () => {
    const lines = await run({ file: fixturePath('bash-633.bin'), nonce: NONCE });
    const stats = lines.at(-1)!;
    expect(stats).toMatchObject({ type: 'stats', sequences: expect.any(Number), malformed: 0, dropped: 0, dialect: '633' });
    expect(stats['bytes']).toBe(statSync(fixturePath('bash-633.bin')).size);
    const events = lines.slice(0, -1);
    expect(events[0]).toEqual({ type: 'command-finished', dialect: '633', exitCode: null, offset: expect.any(Number) });
    expect(events).toContainEqual({ type: 'command-line', commandLine: 'echo hello', trusted: true, offset: expect.any(Number) });
    expect(events).toContainEqual({ type: 'command-line', commandLine: 'rm -rf ~', trusted: false, offset: expect.any(Number) });
    expect(events).toContainEqual({ type: 'cwd', cwd: '/tmp/tsession-rec', source: '633', offset: expect.any(Number) });
    expect(events).toContainEqual({ type: 'prompt-start', dialect: '633', offset: expect.any(Number) });
    const offsets = events.map((e) => e['offset'] as number);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
  });

  it('without --nonce, no command line is trusted', async () => {
    const lines = await run({ file: fixturePath('bash-633.bin') });
    expect(lines.filter((l) => l['type'] === 'command-line').every((l) => l['trusted'] === false)).toBe(true);
  });

  it('prints cwd events with their source and host', async () => {
    const lines = await run({ file: fixturePath('bash-133-osc7.bin') });
    expect(lines).toContainEqual({ type: 'cwd', cwd: '/tmp/tsession-rec', source: '7', host: expect.any(String), offset: expect.any(Number) });
  });

  it('--control prints control events, then each pane’s markers with a pane field', async () => {
    const lines = await run({ file: fixturePath('tmux-control-633.bin'), control: true, nonce: NONCE });
    expect(lines[0]).toMatchObject({ type: 'reply', ok: true });
    expect(lines).toContainEqual({ type: 'output', pane: '%0', bytes: expect.any(Number) });
    expect(lines).toContainEqual({ type: 'command-line', commandLine: 'echo hello', trusted: true, offset: expect.any(Number), pane: '%0' });
    expect(lines).toContainEqual({ type: 'window-add', window: '@1' });
    expect(lines.at(-2)).toEqual({ type: 'exit', reason: null });
    expect(lines.at(-1)).toMatchObject({
      type: 'stats', dialect: '633', panes: 2, malformed: 0,
      control: { malformed: 0, replies: 2, outputs: expect.any(Number) },
    });
    // A marker line always follows the output line it came from.
    const firstMarker = lines.findIndex((l) => 'pane' in l && l['type'] !== 'output');
    expect(lines[firstMarker - 1]).toMatchObject({ type: 'output', pane: '%0' });
  });

  it('reads binary garbage to the end: maybe no events, always stats', async () => {
    const dir = tempDir();
    afterTest(dir.cleanup);
    const file = join(dir.path, 'garbage.bin');
    const bytes = Buffer.alloc(3 * 1024 * 1024);
    let x = 7;
    for (let i = 0; i < bytes.length; i++) bytes[i] = x = (x * 1103515245 + 12345) & 0xff;
    writeFileSync(file, bytes);
    const lines = await run({ file }, 64);
    expect(lines.at(-1)).toMatchObject({ type: 'stats', bytes: bytes.length });
    const control = await run({ file, control: true });
    expect(control.at(-1)).toMatchObject({ type: 'stats', bytes: bytes.length });
  });

  it('throws a UserError with exit code 2 naming an unreadable file', async () => {
    const missing = '/nonexistent/tsession/input.bin';
    await expect(run({ file: missing })).rejects.toThrow(new UserError(`Cannot read ${missing}: no such file or directory`, 2));
    await expect(run({ file: missing })).rejects.toMatchObject({ exitCode: 2 });
    const dir = tempDir();
    afterTest(dir.cleanup);
    await expect(run({ file: dir.path })).rejects.toThrow(`Cannot read ${dir.path}: is a directory`);
  });
});
