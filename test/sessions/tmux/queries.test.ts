/**
 * Every -F format next to its decoder (sessions/tmux/formats.ts) and the
 * small queries built on them (queries.ts): pure decoding of hostile
 * names, then the queries against a real, isolated tmux server.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeGateLines, decodeRows, FORMATS, gatePrintArgs, recordFormat } from '../../../sessions/tmux/formats.js';
import { decodeActivityAndClients, readActivityAndClients, readClients, readPanePids, readServerPid } from '../../../sessions/tmux/queries.js';
import type { ServerSpec } from '../../../sessions/tmux/server.js';
import { createTestServer, type TestServer } from '../../helpers/tmux-server.js';

describe('formats (pure)', () => {
  it('a format is its tag, safe fields, then length-prefixed text fields', () => {
    expect(recordFormat(FORMATS.clients)).toBe('C #{client_control_mode} #{n:client_session}:#{client_session}');
    expect(recordFormat(FORMATS.panePids)).toBe('P #{pane_id} #{pane_pid} ');
  });

  it('decodes mixed records by tag, names with spaces, colons, newlines and UTF-8 intact', () => {
    const name = 'a b:\nc ü';
    const bytes = Buffer.byteLength(name);
    const buf = Buffer.from(`W @1 1700000000 \nC 0 ${bytes}:${name}\nC 1 ${bytes}:${name}\nW @2 0 \nC 0 1:x\n`);
    const { activity, clients } = decodeActivityAndClients(buf);
    expect([...activity]).toEqual([
      ['@1', 1_700_000_000],
      ['@2', 0],
    ]);
    // The control-mode client (a watch daemon's) is not a person.
    expect([...clients]).toEqual([
      [name, 1],
      ['x', 1],
    ]);
    expect(decodeRows(Buffer.from(''), [FORMATS.activity, FORMATS.clients])).toEqual([[], []]);
  });

  it('refuses a truncated length-prefixed field rather than guessing', () => {
    expect(() => decodeRows(Buffer.from('C 0 9:short\n'), [FORMATS.clients])).toThrow(/Expected/);
  });

  it('gate lines: printed by -P -F, read back from a build chunk among other output', () => {
    expect(gatePrintArgs(3)).toEqual(['-P', '-F', 'tsession-gate:3 #{pane_id} #{pane_tty}']);
    const out = Buffer.from('something else\ntsession-gate:0 %4 /dev/pts/7\ntsession-gate:12 %15 /dev/pts/19\ntsession-gate:x %1 /dev/pts/1\n');
    expect(decodeGateLines(out)).toEqual([
      { n: 0, paneId: '%4', tty: '/dev/pts/7' },
      { n: 12, paneId: '%15', tty: '/dev/pts/19' },
    ]);
  });
});

describe('queries (real tmux)', () => {
  let server: TestServer;
  afterEach(() => server?.kill());
  const specOf = (s: TestServer): ServerSpec => ({
    socketPath: join(`${(process.env.TMUX_TMPDIR || '/tmp').replace(/\/+$/, '')}/tmux-${process.getuid?.() ?? 0}`, s.name),
    label: `-L ${s.name}`,
  });

  it('server pid with session ids, pane pids, windows and people', async () => {
    server = createTestServer();
    server.tmux('new-session', '-d', '-s', 'one two', '-x', '80', '-y', '24');
    server.tmux('split-window', '-t', 'one two');
    server.tmux('new-session', '-d', '-s', 'three');
    const spec = specOf(server);
    const opts = { env: server.env };
    const pid = Number(server.tmux('display-message', '-p', '#{pid}').trim());
    const ids = server.tmux('list-sessions', '-F', '#{session_id}').trim().split('\n');
    expect(await readServerPid(spec, opts)).toEqual({ pid, sessionIds: ids });
    const panes = server
      .tmux('list-panes', '-a', '-F', '#{pane_id} #{pane_pid}')
      .trim()
      .split('\n')
      .map((l) => [l.split(' ')[0], Number(l.split(' ')[1])]);
    expect([...(await readPanePids(spec, opts))]).toEqual(panes);
    const { activity, clients } = await readActivityAndClients(spec, opts);
    expect([...activity.keys()]).toEqual(server.tmux('list-windows', '-a', '-F', '#{window_id}').trim().split('\n'));
    // Nobody attached.
    expect(clients.size).toBe(0);
    expect((await readClients(spec, opts)).size).toBe(0);
  });
});
