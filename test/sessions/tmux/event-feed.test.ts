/**
 * The event feed's output mode on a real server: when tmux pauses a pane
 * for the feed's client (what pause-after does to a client that falls
 * behind; here asked for directly, so the test does not race tmux's age
 * check), the feed continues the pane at once and its output flows again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { endIsCrash, openEventFeed, type EventFeed, type FeedEvent } from '../../../sessions/tmux/event-feed.js';
import { describeEnd } from '../../../src/daemon/server-probe.js';
import { resolveServer } from '../../../sessions/tmux/server.js';
import { createTestServer, waitFor, type TestServer } from '../../helpers/tmux-server.js';

let s: TestServer | undefined;
let feed: EventFeed | undefined;
afterEach(async () => {
  await feed?.close();
  s?.kill();
  s = feed = undefined;
});

describe('event feed with output', () => {
  it('a pane tmux pauses for the feed is continued, and its output arrives again', async () => {
    s = createTestServer();
    s.tmux('new-session', '-d', '-s', 'echo', '-x', '80', '-y', '24', 'cat');
    const pane = s.tmux('display-message', '-p', '-t', 'echo', '#{pane_id}').trim();
    const server = resolveServer({ socketName: s.name }, s.env, process.getuid!());
    const events: FeedEvent[] = [];
    let text = '';
    feed = openEventFeed(server, 'echo', (e) => events.push(e), s.env, {
      pauseAfterS: 5,
      onOutput: (_pane, data) => (text += Buffer.from(data).toString('utf8')),
    });
    const client = `client-${feed.pid}`;
    await waitFor(() => s!.tmux('list-clients', '-F', '#{client_name}').includes(client), 10_000, 'the feed attached');
    s.tmux('refresh-client', '-t', client, '-A', `${pane}:pause`);
    await waitFor(() => events.some((e) => e.type === 'pause'), 10_000, 'a %pause');
    // The feed answered with refresh-client -A '<pane>:continue'; tmux confirms it.
    await waitFor(() => events.some((e) => e.type === 'continue'), 10_000, 'a %continue');
    expect(events.filter((e) => e.type === 'pause' || e.type === 'continue').map((e) => `${e.type} ${'pane' in e ? e.pane : ''}`)).toEqual([
      `pause ${pane}`,
      `continue ${pane}`,
    ]);
    s.tmux('send-keys', '-t', 'echo', '-l', 'after the pause\r');
    await waitFor(() => text.includes('after the pause'), 10_000, 'output after the pause');
  });
});

describe('feed ends', () => {
  it('a crash is %exit "server exited unexpectedly" or an end without %exit; kill-server and detach are not', () => {
    expect(endIsCrash({ kind: 'exit', reason: 'server exited unexpectedly', code: 1 })).toBe(true);
    expect(endIsCrash({ kind: 'eof', code: null, stderr: '' })).toBe(true);
    expect(endIsCrash({ kind: 'exit', reason: null, code: 0 })).toBe(false);
    expect(endIsCrash({ kind: 'exit', reason: 'detached', code: 0 })).toBe(false);
    expect(describeEnd({ kind: 'eof', code: 1, stderr: "can't find session: $9\nmore" })).toBe(
      "control client ended without %exit (code 1): can't find session: $9",
    );
  });
});
