/**
 * The event feed's output mode on a real server: when tmux pauses a pane
 * for the feed's client (what pause-after does to a client that falls
 * behind; here asked for directly, so the test does not race tmux's age
 * check), the feed continues the pane at once and its output flows again.
 */
import { existsSync } from 'node:fs';
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
    expect(endIsCrash({ kind: 'exit', reason: 'server exited unexpectedly', code: 1, attached: true })).toBe(true);
    expect(endIsCrash({ kind: 'eof', code: null, stderr: '' })).toBe(true);
    expect(endIsCrash({ kind: 'exit', reason: null, code: 0, attached: true })).toBe(false);
    expect(endIsCrash({ kind: 'exit', reason: 'detached', code: 0, attached: true })).toBe(false);
    expect(describeEnd({ kind: 'eof', code: 1, stderr: "can't find session: $9\nmore" })).toBe(
      "control client ended without %exit (code 1): can't find session: $9",
    );
  });
});

describe('a feed that never got attached', () => {
  it('says so: a bare %exit for a session already gone, unlike kill-server seen by an attached client', async () => {
    s = createTestServer();
    s.tmux('new-session', '-d', '-s', 'here', '-x', '80', '-y', '24');
    const server = resolveServer({ socketName: s.name }, s.env, process.getuid!());
    const gone = await openEventFeed(server, '$99', () => {}, s.env).ended;
    expect(gone).toMatchObject({ kind: 'exit', reason: null, attached: false });
    expect(describeEnd(gone)).toMatch(/before it was attached/);
    const events: FeedEvent[] = [];
    feed = openEventFeed(server, 'here', (e) => events.push(e), s.env);
    await waitFor(() => events.some((e) => e.type === 'session-changed'), 10_000, 'attached');
    s.tmuxTry('kill-server');
    expect(await feed.ended).toMatchObject({ kind: 'exit', reason: null, attached: true });
  });
});

describe('output reads', () => {
  it('every byte a busy pane prints arrives, in order, with the reads coalesced', async () => {
    s = createTestServer();
    s.tmux('new-session', '-d', '-s', 'loud', '-x', '80', '-y', '24');
    await waitFor(() => s!.tmux('display', '-p', '-t', 'loud', '#{cursor_x}').trim() !== '0', 10_000, 'the prompt');
    const server = resolveServer({ socketName: s.name }, s.env, process.getuid!());
    const chunks: Buffer[] = [];
    const events: FeedEvent[] = [];
    feed = openEventFeed(server, 'loud', (e) => events.push(e), s.env, { pauseAfterS: 30, onOutput: (_p, d) => chunks.push(Buffer.from(d)) });
    await waitFor(() => events.some((e) => e.type === 'session-changed'), 10_000, 'attached');
    s.tmux('send-keys', '-t', 'loud', "seq -f 'n%g' 1 200000; echo DONE-$((6*7))", 'Enter');
    await waitFor(() => Buffer.concat(chunks).includes('DONE-42'), 60_000, 'all the output');
    const numbers = [...Buffer.concat(chunks).toString('latin1').matchAll(/n(\d+)\r\n/g)].map((m) => Number(m[1]));
    expect(numbers.length).toBe(200_000);
    expect(numbers.every((n, i) => n === i + 1)).toBe(true);
  }, 90_000);
});

describe('a control client opened where no server runs', () => {
  it('starts none: a transient server of ours could take the socket from a restore starting the real one', async () => {
    s = createTestServer();
    const server = resolveServer({ socketName: s.name }, s.env, process.getuid!());
    // No session was ever made: nothing listens on the socket path yet.
    feed = openEventFeed(server, '$0', () => {}, s.env);
    const end = await feed.ended;
    // `tmux -C attach-session` has CMD_STARTSERVER: without -N it starts a server (which
    // exits at once with "no sessions"), and a restore's client racing it gets
    // "server exited unexpectedly". With -N nothing is started and nothing is left behind.
    expect(end.kind).toBe('eof');
    expect(s.tmuxTry('list-sessions').stderr).toMatch(/no server running|error connecting/);
    expect(existsSync(server.socketPath)).toBe(false);
  });
});
