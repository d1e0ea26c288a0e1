/**
 * A hosted session's mirror rests (keeps its screen as text, lets the
 * terminal go) once nobody is attached and no output came for a whole
 * MIRROR_REST.idleMs period — never while a client watches or output flows
 * — and a client attaching to a rested session gets exactly the screen and
 * history a never-rested one would send.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HostToClient } from '../../src/pty-host/client-protocol.js';
import { HostSession, MIRROR_REST, type ClientLink } from '../../src/pty-host/host-session.js';

const spec = { name: 's', id: 'id1', argv: ['sh'], isShell: true, cwd: '/', createdAt: 0, nonce: null };
const actions = { input: () => {}, resize: () => {}, pace: () => {} };
const sessions: HostSession[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const s of sessions.splice(0)) s.dispose();
});

function session(): HostSession {
  const s = new HostSession(spec, actions, { cols: 60, rows: 12 }, 1_000);
  sessions.push(s);
  return s;
}

/** 200 coloured lines, a title, a prompt with the cursor after it. */
function feed(s: HostSession, offset = 0): number {
  const lines = Array.from({ length: 200 }, (_, i) => `\x1b[3${i % 8}mline ${i}\x1b[0m\r\n`).join('') + '\x1b]2;work\x07\x1b[1;32m~/src\x1b[0m $ ';
  const data = Buffer.from(lines);
  s.output(offset, data);
  return offset + data.length;
}

/** A client that records what it is sent. */
function client(): { link: ClientLink; got: HostToClient[] } {
  const got: HostToClient[] = [];
  return { got, link: { send: (m) => (got.push(m), true) } };
}

// Only the session's own check is faked: xterm's parser keeps its real timers.
const idlePeriods = async (n: number) => {
  for (let i = 0; i < n; i++) vi.advanceTimersByTime(MIRROR_REST.idleMs);
  await new Promise((r) => setTimeout(r, 50));
};

describe('HostSession rest', () => {
  it('rests after a whole quiet period with nobody attached, never while watched or busy', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const quiet = session();
    const watched = session();
    const busy = session();
    feed(quiet);
    feed(watched);
    let busyAt = feed(busy);
    await Promise.all([quiet.mirror.settled(), watched.mirror.settled(), busy.mirror.settled()]);
    const viewer = client();
    await watched.attach(viewer.link, { cols: 60, rows: 12, readOnly: true });
    for (let period = 0; period < 3; period++) {
      const more = Buffer.from(`tick ${period}\r\n`);
      busy.output(busyAt, more);
      busyAt += more.length;
      await idlePeriods(1);
    }
    expect(quiet.mirror.resting).toBe(true);
    expect(watched.mirror.resting).toBe(false);
    expect(busy.mirror.resting).toBe(false);
    // The listing reads a resting session without waking it.
    expect(quiet.info(null)).toMatchObject({ title: 'work', state: 'starting' });
    expect(quiet.mirror.resting).toBe(true);
  });

  it('a client attaching to a rested session gets the same screen and history as from one that never rested', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const rested = session();
    const awake = session();
    feed(rested);
    feed(awake);
    await Promise.all([rested.mirror.settled(), awake.mirror.settled()]);
    await idlePeriods(2);
    expect(rested.mirror.resting).toBe(true);
    const a = client();
    const b = client();
    // Attaching wakes it; a viewer keeps the other awake one from resting meanwhile too.
    await rested.attach(a.link, { cols: 60, rows: 12, readOnly: true });
    await awake.attach(b.link, { cols: 60, rows: 12, readOnly: true });
    expect(rested.mirror.resting).toBe(false);
    const strip = (ms: HostToClient[]) => ms.map((m) => ({ ...m, id: undefined }));
    expect(strip(a.got)).toEqual(strip(b.got));
    expect(a.got.map((m) => m.type)).toEqual(['attached', 'history']);
    // Live output after the wake lands where it would have.
    const tail = Buffer.from('echo hi\r\nhi\r\n');
    rested.output(rested.offset, tail);
    awake.output(awake.offset, tail);
    expect(await rested.peek(true)).toBe(await awake.peek(true));
  });
});
