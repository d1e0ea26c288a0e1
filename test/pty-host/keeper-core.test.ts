/**
 * The keeper's core with real ptys and no socket: output reaches the host
 * with absolute offsets and nothing lost or doubled; a host that is not
 * reading (send refused) gets the rest after its drain; a host that goes
 * away and a new one that follows from an offset get exactly the bytes
 * since; exits are told, even to a host that comes later. A flood is
 * paced: while the host is not reading (or asks to hold) the program waits
 * instead of overrunning the ring, but never longer than a lease.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { KeeperCore, type HostLink } from '../../src/pty-host/keeper-core.js';
import type { KeeperToHost } from '../../src/pty-host/keeper-protocol.js';
import { waitFor } from '../helpers/tmux-server.js';

let core: KeeperCore | undefined;
afterEach(() => core?.hangUpAll());

interface FakeHost {
  readonly got: KeeperToHost[];
  refuse: boolean;
  readonly link: HostLink;
}

/** A host that records what it is sent; `refuse` makes it "not reading". */
function host(): FakeHost {
  const got: KeeperToHost[] = [];
  const h: FakeHost = {
    got,
    refuse: false,
    link: {
      send: (m) => {
        if (h.refuse) return false;
        got.push(m);
        return true;
      },
    },
  };
  return h;
}

/** The output bytes a host got for `id`, checked to be contiguous from `from`. */
function received(got: readonly KeeperToHost[], id: string, from = 0): string {
  let at = from;
  let text = '';
  for (const m of got) {
    if (m.type !== 'output' || m.id !== id) continue;
    expect(m.from).toBe(at);
    text += Buffer.from(m.data).toString('latin1');
    at += m.data.length;
  }
  return text;
}

const spawn = (id: string, script: string) =>
  ({ type: 'spawn', id, name: id, file: '/bin/sh', args: ['-c', script], cwd: '/', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, cols: 80, rows: 24 }) as const;

describe('KeeperCore', () => {
  it('streams output with contiguous offsets and tells the exit', async () => {
    core = new KeeperCore();
    const h = host();
    core.attachHost(h.link);
    await core.handle(h.link, spawn('a', 'for i in 1 2 3 4 5; do echo line-$i; done; exit 3'));
    expect(h.got[0]).toMatchObject({ type: 'spawned', id: 'a' });
    await core.handle(h.link, { type: 'follow', id: 'a', from: 0 });
    await waitFor(() => h.got.some((m) => m.type === 'exit'), 10_000, 'the exit');
    expect(received(h.got, 'a')).toBe('line-1\r\nline-2\r\nline-3\r\nline-4\r\nline-5\r\n');
    expect(h.got.find((m) => m.type === 'exit')).toMatchObject({ exitCode: 3 });
  });

  it('a host that stops reading gets the rest after its drain, nothing lost or doubled', async () => {
    core = new KeeperCore();
    const h = host();
    core.attachHost(h.link);
    await core.handle(h.link, spawn('b', 'sleep 0.3; seq 1 2000; sleep 600'));
    await core.handle(h.link, { type: 'follow', id: 'b', from: 0 });
    h.refuse = true;
    await new Promise((r) => setTimeout(r, 1_000));
    h.refuse = false;
    core.hostDrained();
    await waitFor(() => received(h.got, 'b').includes('2000\r\n'), 10_000, 'every line');
    const lines = received(h.got, 'b').trim().split('\r\n');
    expect(lines).toEqual(Array.from({ length: 2000 }, (_, i) => String(i + 1)));
  });

  it('a new host follows from an offset and gets exactly the bytes since; the exit it missed is told', async () => {
    core = new KeeperCore();
    const first = host();
    core.attachHost(first.link);
    await core.handle(first.link, spawn('c', 'echo before; sleep 0.5; echo during; exit 7'));
    await core.handle(first.link, { type: 'follow', id: 'c', from: 0 });
    await waitFor(() => received(first.got, 'c').includes('before\r\n'), 10_000, 'the first line');
    const offset = received(first.got, 'c').length;
    core.detachHost(first.link);
    // While no host follows, the keeper keeps the bytes and the exit.
    await new Promise((r) => setTimeout(r, 1_000));
    const second = host();
    core.attachHost(second.link);
    await core.handle(second.link, { type: 'list' });
    expect(second.got[0]).toMatchObject({ type: 'sessions', sessions: [{ id: 'c', exit: { exitCode: 7 } }] });
    await core.handle(second.link, { type: 'follow', id: 'c', from: offset });
    expect(received(second.got, 'c', offset)).toBe('during\r\n');
    expect(second.got.at(-1)).toMatchObject({ type: 'exit', id: 'c', exitCode: 7 });
  });

  it('ignores a host that is not the current one, and signals it does not know', async () => {
    core = new KeeperCore();
    const old = host();
    const current = host();
    core.attachHost(old.link);
    core.attachHost(current.link);
    await core.handle(old.link, spawn('d', 'sleep 600'));
    expect(old.got).toEqual([]);
    await core.handle(current.link, spawn('d', 'sleep 600'));
    await core.handle(current.link, { type: 'signal', id: 'd', signal: 'rm -rf' });
    expect(core.running).toBe(1);
    await core.handle(current.link, { type: 'signal', id: 'd', signal: 'SIGTERM' });
    await core.handle(current.link, { type: 'follow', id: 'd', from: 0 });
    await waitFor(() => current.got.some((m) => m.type === 'exit'), 10_000, 'the exit after SIGTERM');
  });

  describe('pacing', () => {
    // 1 MB of 'x' lines, then a marker: far more than the 64 KiB ring below. The pause before the exit keeps
    // node-pty's own race out of it (it drops what is still unread 200 ms after a process exits).
    const flood = "head -c 1000000 /dev/zero | tr '\\0' x | fold -w 99; echo; echo FLOOD-END; sleep 0.5";
    const lost = (got: readonly KeeperToHost[]) => got.reduce((n, m) => n + (m.type === 'output' ? m.lost : 0), 0);

    it('a host that keeps stopping reading loses nothing: the program waits for it', async () => {
      core = new KeeperCore({ ringBytes: 64 * 1024, holdMs: 10_000 });
      const h = host();
      core.attachHost(h.link);
      await core.handle(h.link, spawn('p', flood));
      await core.handle(h.link, { type: 'follow', id: 'p', from: 0 });
      // Not reading for 50 ms at a time (a checkpoint, a sync, a GC pause), then draining.
      while (!h.got.some((m) => m.type === 'exit')) {
        h.refuse = true;
        await new Promise((r) => setTimeout(r, 50));
        h.refuse = false;
        core.hostDrained();
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(lost(h.got)).toBe(0);
      const text = received(h.got, 'p');
      expect(text.replace(/[^x]/g, '').length).toBe(1_000_000);
      expect(text).toContain('FLOOD-END');
    }, 30_000);

    it('a host that never reads again costs bytes, never a stalled program: the hold is a lease', async () => {
      core = new KeeperCore({ ringBytes: 64 * 1024, holdMs: 200 });
      const h = host();
      core.attachHost(h.link);
      await core.handle(h.link, spawn('q', flood));
      await core.handle(h.link, { type: 'follow', id: 'q', from: 0 });
      h.refuse = true;
      // The program ends although nobody reads: the keeper went back to reading, the ring kept the newest bytes.
      await waitFor(() => core!.running === 0, 20_000, 'the flood to end with its host not reading');
      expect(core.held('q')).toBe(false);
      h.refuse = false;
      core.hostDrained();
      // Once it reads again the host gets the newest bytes the ring kept, told how many it missed, and the exit.
      await waitFor(() => h.got.some((m) => m.type === 'exit'), 10_000, 'the exit');
      const first = h.got.find((m) => m.type === 'output');
      expect(first?.type === 'output' && first.lost).toBeGreaterThan(0);
      expect(received(h.got, 'q', first?.type === 'output' ? first.from : 0)).toContain('FLOOD-END');
    }, 30_000);

    it("holds while the host's mirror asks, renews, lets go when told or when the lease ends", async () => {
      core = new KeeperCore({ ringBytes: 64 * 1024, holdMs: 300 });
      const h = host();
      core.attachHost(h.link);
      await core.handle(h.link, spawn('r', 'sleep 600'));
      await core.handle(h.link, { type: 'pace', id: 'r', hold: true });
      expect(core.held('r')).toBe(true);
      await core.handle(h.link, { type: 'pace', id: 'r', hold: false });
      expect(core.held('r')).toBe(false);
      await core.handle(h.link, { type: 'pace', id: 'r', hold: true });
      await waitFor(() => !core!.held('r'), 5_000, 'the lease to end');
      // A host that goes away lets go of every hold.
      await core.handle(h.link, { type: 'pace', id: 'r', hold: true });
      core.detachHost(h.link);
      expect(core.held('r')).toBe(false);
    });
  });
});
