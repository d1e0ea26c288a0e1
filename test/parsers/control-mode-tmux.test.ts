/**
 * The control-mode decoder against a real `tmux -C` client on an isolated
 * server: decoded %output must be exactly the bytes the pane's program wrote.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ControlEvent } from '../../parsers/control-events.js';
import { createControlModeParser } from '../../parsers/control-mode.js';
import { createTestServer, tempDir, waitFor, type TestServer } from '../helpers/tmux-server.js';
import { cleanupAfterEach, stopChild } from '../helpers/teardown.js';
import { prng } from './stream-helpers.js';

const START = '<<tsession-start-7f3a>>';
const END = '<<tsession-end-7f3a>>';

interface Client {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly events: ControlEvent[];
  readonly exited: Promise<number | null>;
  send(command: string): void;
}

// Newest first: control clients before their server (a client with
// undeliverable output keeps kill-server from completing), then temp dirs.
const afterTest = cleanupAfterEach();

function server(): TestServer {
  const s = createTestServer();
  afterTest(() => s.kill());
  return s;
}

function attach(s: TestServer, session: string, flags: string[] = []): Client {
  const proc = spawn('tmux', [...s.tmuxArgs, '-C', 'attach', '-t', session, ...flags], { env: s.env, stdio: 'pipe' });
  const parser = createControlModeParser();
  const events: ControlEvent[] = [];
  proc.stdout.on('data', (chunk: Buffer) => events.push(...parser.push(chunk)));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  proc.on('exit', () => events.push(...parser.flush()));
  afterTest(() => stopChild(proc));
  return { proc, events, exited, send: (command) => proc.stdin.write(`${command}\n`) };
}

/** Concatenated %output bytes of one pane. */
function paneOutput(events: readonly ControlEvent[], pane: string): Buffer {
  return Buffer.concat(events.flatMap((e) => (e.type === 'output' && e.pane === pane ? [e.data] : [])));
}

/** All 256 byte values, backslash runs, octal look-alikes, UTF-8, and 64 KiB of seeded noise. */
function payload(): Buffer {
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const rand = prng(4242);
  const noise = Buffer.from(Array.from({ length: 64 * 1024 }, () => Math.floor(rand() * 256)));
  return Buffer.concat([
    all,
    Buffer.from('\\ \\\\ \\134 \\033 \\0 \\x41 end\\', 'latin1'),
    Buffer.from('ünï 日本語 😀 \u0085', 'utf8'),
    all.subarray().reverse(),
    noise,
  ]);
}

describe('control mode against a real tmux', () => {
  it.each([
    ['%output', []],
    ['%extended-output (pause-after)', ['-f', 'pause-after=30']],
  ])('decodes %s back to exactly the bytes the pane wrote', async (_name, flags) => {
    const s = server();
    const dir = tempDir();
    afterTest(dir.cleanup);
    const bytes = payload();
    const file = join(dir.path, 'payload.bin');
    writeFileSync(file, bytes);
    s.tmux('new-session', '-d', '-s', 'w', '-x', '80', '-y', '24', 'sleep 60');
    const client = attach(s, 'w', flags);
    await waitFor(() => client.events.some((e) => e.type === 'session-changed'), 10_000, 'the client to attach');
    const pane = s.tmux('display-message', '-p', '-t', 'w', '#{pane_id}').trim();
    // Raw mode: no \n → \r\n (opost) and no echo, so the tty passes bytes unchanged.
    s.tmux('respawn-pane', '-k', '-t', pane, `stty raw -echo; printf '%s' '${START}'; cat '${file}'; printf '%s' '${END}'; sleep 60`);
    const out = await waitFor(() => {
      const o = paneOutput(client.events, pane);
      return o.includes(END) ? o : null;
    }, 15_000, 'the pane to print its end marker');
    const start = out.indexOf(START) + START.length;
    const got = out.subarray(start, out.indexOf(END, start));
    expect(got.length).toBe(bytes.length);
    expect(got.equals(bytes)).toBe(true);
    if (flags.length) {
      expect(client.events.some((e) => e.type === 'output' && e.age !== undefined)).toBe(true);
    }
  });

  it('matches replies by their numbers, sees notifications, and ends with %exit', async () => {
    const s = server();
    s.tmux('new-session', '-d', '-s', 'n', '-x', '80', '-y', '24', 'sleep 60');
    const client = attach(s, 'n');
    await waitFor(() => client.events.some((e) => e.type === 'session-changed'), 10_000, 'the client to attach');
    // Content lines that look like protocol lines: a pane id and a fake %end.
    client.send("display-message -p '%%end 1 2 3'"); // display-message runs strftime: %% is %
    client.send("list-panes -F '#{pane_id}'");
    client.send('this-command-does-not-exist');
    await waitFor(() => client.events.filter((e) => e.type === 'reply').length >= 4, 10_000, 'four replies');
    const pane = s.tmux('display-message', '-p', '-t', 'n', '#{pane_id}').trim();
    // The first reply answers the attach itself.
    expect(client.events.filter((e) => e.type === 'reply').slice(1).map((r) => [r.ok, r.lines])).toEqual([
      [true, ['%end 1 2 3']],
      [true, [pane]],
      [false, ['parse error: unknown command: this-command-does-not-exist']],
    ]);
    // Notifications run from tmux's global queue after the command that caused
    // them, and name the window as it is *then*: wait for each before the next
    // command, or a window killed meanwhile is reported as unlinked.
    const seen = (type: ControlEvent['type']) => () => client.events.some((e) => e.type === type);
    client.send('new-window -d -n second');
    await waitFor(seen('window-add'), 10_000, '%window-add');
    client.send('rename-window -t :1 renamed');
    await waitFor(seen('window-renamed'), 10_000, '%window-renamed');
    client.send('kill-window -t :1');
    // tmux 3.3a quirk: a window closed in the client's own session arrives as unlinked-window-close.
    await waitFor(seen('unlinked-window-close'), 10_000, '%unlinked-window-close');
    const windowTypes = new Set(['window-add', 'window-renamed', 'window-close', 'unlinked-window-add', 'unlinked-window-renamed', 'unlinked-window-close']);
    expect(client.events.filter((e) => windowTypes.has(e.type))).toEqual([
      { type: 'window-add', window: '@1' },
      { type: 'window-renamed', window: '@1', name: 'renamed' },
      { type: 'unlinked-window-close', window: '@1' },
    ]);
    s.tmux('kill-server');
    expect(await client.exited).toBe(0);
    expect(client.events.at(-1)).toEqual({ type: 'exit', reason: null });
  });
});
