/**
 * The event feed's output mode on a real server: a client that falls behind
 * is paused by tmux (flow control), and the feed continues the pane at
 * once, so output flows again and nothing stalls.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openEventFeed, type EventFeed, type FeedEvent } from '../../sessions/event-feed.js';
import { resolveServer } from '../../sessions/server.js';
import { createTestServer, waitFor, type TestServer } from '../helpers/tmux-server.js';

let s: TestServer | undefined;
let feed: EventFeed | undefined;
afterEach(async () => {
  if (feed) {
    await feed.close();
  }
  s?.kill();
  s = feed = undefined;
});

describe('event feed with output', () => {
  it('a client that stalls is paused by tmux and the feed continues the pane', async () => {
    s = createTestServer();
    s.tmux('new-session', '-d', '-s', 'loud', '-x', '80', '-y', '24', 'yes tick');
    const server = resolveServer({ socketName: s.name }, s.env, process.getuid!());
    const events: FeedEvent[] = [];
    let bytes = 0;
    let bytesAtPause = -1;
    feed = openEventFeed(server, 'loud', (e) => {
      events.push(e);
      if (e.type === 'pause') bytesAtPause = bytes;
    }, s.env, {
      pauseAfterS: 1,
      onOutput: (_pane, data) => {
        // The reader stalls once (tmux writes to our end of the pipe itself), so output ages in tmux past pause-after.
        if (bytes === 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2_500);
        bytes += data.length;
      },
    });
    await waitFor(() => events.some((e) => e.type === 'pause'), 10_000, 'a %pause');
    // Continued: output arrives again after the pause.
    await waitFor(() => bytesAtPause >= 0 && bytes > bytesAtPause + 100, 10_000, 'output after the pause');
    expect(events.filter((e) => e.type === 'pause').every((e) => 'pane' in e && /^%\d+$/.test(e.pane))).toBe(true);
  });
});
