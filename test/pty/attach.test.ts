/**
 * Attach through a real terminal (node-pty running `tsession attach`, drawn
 * by @xterm/headless), type, detach, reattach from a fresh terminal: the
 * screen is identical cell by cell — text, colours, attributes, cursor —
 * with a shell, vim, less and htop. Several terminals at once; read-only watches.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { clientTerminal, DETACH, PROMPT, ptyWorld, snapshot, type ClientTerminal, type PtyWorld } from './helpers.js';

let world: PtyWorld | undefined;
const clients: ClientTerminal[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.kill();
  await world?.destroy();
  world = undefined;
});

const attach = (w: PtyWorld, name: string, ...more: string[]) => {
  const c = clientTerminal(w, ['attach', name, ...more]);
  clients.push(c);
  return c;
};

/** Detach `a`, attach a fresh terminal, and expect the same screen cell by cell. */
async function reattachSame(w: PtyWorld, name: string, a: ClientTerminal): Promise<ClientTerminal> {
  await a.settle();
  const before = snapshot(a.term);
  a.type(DETACH);
  expect(await a.exited).toBe(0);
  const b = attach(w, name);
  await b.settle();
  const after = snapshot(b.term);
  expect(after.alternate).toBe(before.alternate);
  expect(after.cursor).toEqual(before.cursor);
  for (let y = 0; y < before.rows.length; y++) expect({ y, row: after.rows[y] }).toEqual({ y, row: before.rows[y] });
  return b;
}

describe('attach, detach, reattach', () => {
  it('a shell with colours: the reattached screen is the same cell by cell', async () => {
    world = ptyWorld();
    expect((await world.cli(['new', 'one', '-d'])).code).toBe(0);
    const a = attach(world, 'one');
    await a.waitForText(PROMPT);
    a.type("printf '\\033[1;31mred\\033[0m \\033[42mgreen bg\\033[0m plain\\n'; echo done-$((6*7))\r");
    await a.waitForText('done-42');
    const b = await reattachSame(world, 'one', a);
    // Still live after the reattach: typing reaches the shell.
    b.type('echo again-$((2+3))\r');
    await b.waitForText('again-5');
  });

  it('vim on the alternate screen comes back as it was', async () => {
    world = ptyWorld();
    expect((await world.cli(['new', 'ed', '-d'])).code).toBe(0);
    const a = attach(world, 'ed');
    await a.waitForText(PROMPT);
    a.type(`vim -u NONE -N -i NONE ${world.home}/notes.txt\r`);
    await a.waitForText('~');
    a.type('ihello from vim\rline two\x1b');
    await a.waitForText('line two');
    // Line numbers are coloured: the reattached screen must keep the colours too.
    a.type(':set number\r');
    await a.waitForText(/ 2 line two/);
    const b = await reattachSame(world, 'ed', a);
    expect(snapshot(b.term).alternate).toBe(true);
    b.type(':q!\r');
    await b.waitForText(PROMPT);
  });

  it('less paging a long file comes back as it was', async () => {
    world = ptyWorld();
    expect((await world.cli(['new', 'pager', '-d'])).code).toBe(0);
    const a = attach(world, 'pager');
    await a.waitForText(PROMPT);
    a.type('seq 1 500 | less\r');
    await a.waitForText(/^23$/m);
    a.type(' ');
    await a.waitForText(/^46$/m);
    await reattachSame(world, 'pager', a);
  });

  it('htop (coloured meters, header and selection bar on the alternate screen) comes back as it was', async () => {
    world = ptyWorld();
    expect((await world.cli(['new', 'top', '-d'])).code).toBe(0);
    const a = attach(world, 'top');
    await a.waitForText(PROMPT);
    // exec: htop becomes the session's process, so no shell reports on it when it is stopped below.
    a.type('exec htop -d 100\r');
    await a.waitForText(/Tasks:.*running/);
    await a.waitForText('F10Quit');
    // htop redraws its meters, clock and process list on every refresh (the soonest -d allows is 10 s), and
    // a first time about a second after it starts. A screen that changes between the two snapshots would
    // prove nothing either way, so once that first refresh is done htop is stopped (SIGSTOP, no shell to
    // notice): the bytes it drew stay as they are, and terminal a (which drew them) and terminal b (painted
    // from the host's mirror) must show them alike.
    await new Promise((r) => setTimeout(r, 1_500));
    const [session] = (JSON.parse((await world.cli(['list', '--json'])).stdout) as { pty: { sessions: { name: string; pid: number }[] } }).pty.sessions;
    expect(session?.name).toBe('top');
    process.kill(session!.pid, 'SIGSTOP');
    try {
      const b = await reattachSame(world, 'top', a);
      expect(snapshot(b.term).alternate).toBe(true);
      // Colours came across, not only text: htop's header and meters are drawn in several.
      const colours = new Set(snapshot(b.term).rows.flat().map((cell) => cell.split('|').slice(1, 3).join('|')));
      expect(colours.size).toBeGreaterThan(3);
      process.kill(session!.pid, 'SIGCONT');
      b.type('q');
      await b.exited;
    } finally {
      try {
        process.kill(session!.pid, 'SIGCONT');
      } catch {
        // htop has quit
      }
    }
  });

  it('two terminals at once see the same output; a read-only one cannot type', async () => {
    world = ptyWorld();
    expect((await world.cli(['new', 'shared', '-d'])).code).toBe(0);
    const a = attach(world, 'shared');
    const r = attach(world, 'shared', '--read-only');
    await a.waitForText(PROMPT);
    await r.waitForText(PROMPT);
    r.type('echo from-readonly\r');
    a.type('echo from-$((40+2))-writer\r');
    await r.waitForText('from-42-writer');
    await a.settle();
    expect(a.text()).not.toContain('from-readonly');
  });
});
