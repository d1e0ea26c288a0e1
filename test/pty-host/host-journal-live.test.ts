/**
 * The PTY host's journal, from a real host: its starts and stops, the
 * keeper, each session's creation, exit and revival land in the PTY store's
 * journal as entries `tsession log` reads (with `source: "pty"`), while
 * every event, clients' connections included, stays a JSON line on the
 * host's stderr (host.log).
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ptyHostLogFile } from '../../checkpoints/paths.js';
import { waitFor } from '../helpers/tmux-server.js';
import { ptyWorld, type PtyWorld } from '../pty/helpers.js';

let world: PtyWorld | undefined;
afterEach(async () => {
  await world?.destroy();
  world = undefined;
});

interface Line {
  what: string;
  kind: string;
  result?: string;
  detail?: string;
  cause?: string;
  source: string;
}
const ptyLog = async (w: PtyWorld): Promise<Line[]> =>
  (await w.cli(['log', '--pty', '--json', '-n', '0'])).stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the PTY host journal', () => {
  it('holds the host’s starts and stop, the keeper, and each session’s new, exit and revive', async () => {
    world = ptyWorld();
    const w = world;
    expect((await w.cli(['new', 'work', '-d'])).code).toBe(0);
    expect((await w.cli(['new', 'brief', '-d', '--', 'sh', '-c', 'exit 3'])).code).toBe(0);
    await waitFor(async () => (await ptyLog(w)).some((l) => l.what === 'session-exited'), 15_000, 'the exit of brief in the journal');
    // A clean stop, then the keeper (and the shell) gone: the next command's host revives work.
    const host = (await w.hostPid())!;
    process.kill(host, 'SIGTERM');
    await waitFor(() => !isAlive(host), 15_000, 'the host to stop');
    process.kill((await w.keeperPid())!, 'SIGKILL');
    expect((await w.cli(['peek', 'work'])).code).toBe(0);
    await waitFor(async () => (await ptyLog(w)).some((l) => l.what === 'session-revive'), 15_000, 'the revive in the journal');

    const log = await ptyLog(w);
    expect(log.every((l) => l.source === 'pty')).toBe(true);
    const story = log.map((l) => l.what);
    expect(story.slice(0, 2)).toEqual(['keeper-started', 'host-started']);
    // brief's exit may be told in the same read as its start: the two may come in either order.
    expect(story.slice(2, 5).sort()).toEqual(['session-exited', 'session-new', 'session-new']);
    expect(story[5]).toBe('host-stopping');
    expect(log.find((l) => l.what === 'session-exited')).toMatchObject({ kind: 'detected', detail: 'brief: exit 3' });
    expect(log.find((l) => l.what === 'host-stopping')).toMatchObject({ cause: 'SIGTERM' });
    expect(log.find((l) => l.what === 'session-revive')).toMatchObject({ kind: 'action', result: 'ok', detail: expect.stringMatching(/^work: \S+ in /) });
    // The second host started its own keeper, then revived.
    expect(story.lastIndexOf('keeper-started')).toBeGreaterThan(story.indexOf('host-stopping'));
    expect(story.indexOf('session-revive')).toBeGreaterThan(story.lastIndexOf('keeper-started'));
    // Only one line per revive: none that says "revived" for a revive that then failed.
    expect(story.filter((x) => x === 'session-revive')).toHaveLength(1);

    // stderr keeps every event as a JSON line, the clients' connections too.
    const stderr = readFileSync(ptyHostLogFile(w.stateDir), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { event: string });
    const events = stderr.map((e) => e.event);
    expect(events).toEqual(expect.arrayContaining(['started', 'new', 'exit', 'stopping', 'revive', 'socket-listening', 'socket-connection-closed']));
  }, 90_000);
});
