/**
 * The pane registry without any transport: bytes arrive as a tmux client or
 * a PTY would hand them over, pids and nonces come from fakes. Each pane is
 * parsed once, trusted only with its own shell's nonce, starts over when
 * respawned, is handed over between sources, and its cwd climbs the ladder.
 */
import { describe, expect, it } from 'vitest';
import { PaneRegistry, REGISTRY_LIMITS, type PaneRegistryOptions } from '../../../sessions/shell-integration/pane-registry.js';
import { TRACKER_LIMITS } from '../../../sessions/shell-integration/pane-tracker.js';

const NONCE = 'a'.repeat(32);
const bytes = (s: string) => Buffer.from(s, 'utf8');
const osc = (body: string) => `\x1b]${body}\x07`;

/** One prompt → command → finish cycle as tsession's bash script writes it. */
function cycle(commandLine: string, exitCode: number, nonce = NONCE): string {
  return osc('633;A') + '$ ' + osc('633;B') + osc(`633;E;${commandLine};${nonce}`) + osc('633;C') + 'output\r\n' + osc(`633;D;${exitCode}`);
}

function setup(pids: Record<string, number>, nonces: Record<number, string> = {}, alive = new Set(['$1', '$2'])) {
  let t = 10_000;
  const lookups: string[][] = [];
  const options: PaneRegistryOptions = {
    pidsOf: async (ids) => {
      lookups.push([...ids]);
      return new Map(Object.entries(pids));
    },
    nonceOf: (pid) => nonces[pid],
    sourceAlive: (s) => alive.has(s),
    now: () => t,
  };
  const registry = new PaneRegistry(options);
  return { registry, lookups, pids, alive, advance: (ms: number) => (t += ms) };
}

/** Let the registry's pid lookup (a microtask chain) finish. */
const settle = () => new Promise((r) => setImmediate(r));

describe('PaneRegistry', () => {
  it('trusts a command line only with the nonce its own shell registered', async () => {
    const { registry } = setup({ '%1': 101, '%2': 102 }, { 101: NONCE });
    registry.output('$1', '%1', bytes(cycle('make', 2)));
    registry.output('$1', '%2', bytes(cycle('rm -rf ~', 0)));
    await settle();
    expect(registry.lastCommand({ id: '%1', pid: 101 })).toEqual({ commandLine: 'make', trusted: true, exitCode: 2, durationMs: 0, source: 'osc633-trusted' });
    // %2's shell registered no nonce: the same bytes are only an untrusted claim.
    expect(registry.lastCommand({ id: '%2', pid: 102 })).toMatchObject({ commandLine: 'rm -rf ~', trusted: false, source: 'osc633' });
  });

  it('looks the pids of a burst of new panes up once, and keeps their first bytes', async () => {
    const { registry, lookups } = setup({ '%1': 101, '%2': 102 }, { 101: NONCE, 102: NONCE });
    const whole = cycle('ls', 0);
    // Split across chunks, all before the lookup answers.
    registry.output('$1', '%1', bytes(whole.slice(0, 7)));
    registry.output('$1', '%2', bytes(cycle('pwd', 1)));
    registry.output('$1', '%1', bytes(whole.slice(7)));
    await settle();
    expect(lookups).toEqual([['%1', '%2']]);
    expect(registry.lastCommand({ id: '%1', pid: 101 })?.commandLine).toBe('ls');
    expect(registry.lastCommand({ id: '%2', pid: 102 })?.exitCode).toBe(1);
  });

  it('drops (and counts) bytes beyond the limit while a pid is looked up', async () => {
    const { registry } = setup({ '%1': 101 });
    registry.output('$1', '%1', new Uint8Array(REGISTRY_LIMITS.pendingBytes));
    registry.output('$1', '%1', new Uint8Array(1));
    await settle();
    expect(registry.dropped).toBe(1);
  });

  it('a respawned pane (another pid under the same id) starts over without the old trust', async () => {
    const { registry, pids } = setup({ '%1': 101 }, { 101: NONCE });
    registry.output('$1', '%1', bytes(cycle('vim notes', 0)));
    await settle();
    expect(registry.lastCommand({ id: '%1', pid: 101 })?.trusted).toBe(true);
    // The save sees pid 202 under %1: the old shell's facts are gone.
    expect(registry.lastCommand({ id: '%1', pid: 202 })).toBeUndefined();
    pids['%1'] = 202;
    // The new shell has no nonce: the old one's nonce no longer makes its lines trusted.
    registry.output('$1', '%1', bytes(cycle('whoami', 0)));
    await settle();
    expect(registry.lastCommand({ id: '%1', pid: 202 })).toMatchObject({ commandLine: 'whoami', trusted: false });
  });

  it('parses a pane once when two sources deliver it, and hands it over when its feeder goes quiet or away', async () => {
    const { registry, alive, advance } = setup({ '%1': 101 }, { 101: NONCE });
    registry.output('$1', '%1', bytes(cycle('one', 1)));
    await settle();
    // The same bytes through a second source are not parsed again.
    registry.output('$2', '%1', bytes(cycle('two', 2)));
    expect(registry.lastCommand({ id: '%1', pid: 101 })?.commandLine).toBe('one');
    // $1 silent for the hand-over time: $2 takes the pane.
    advance(REGISTRY_LIMITS.handOverMs);
    registry.output('$2', '%1', bytes(cycle('three', 3)));
    expect(registry.lastCommand({ id: '%1', pid: 101 })?.commandLine).toBe('three');
    // A source that is gone hands over at once, however recent its last bytes.
    alive.delete('$2');
    registry.output('$1', '%1', bytes(cycle('four', 4)));
    expect(registry.lastCommand({ id: '%1', pid: 101 })?.commandLine).toBe('four');
  });

  it('gives a marker cwd with its provenance over /proc, until the shell idles elsewhere with markers silent', async () => {
    const { registry, advance } = setup({ '%1': 101, '%2': 102, '%3': 103 });
    registry.output('$1', '%1', bytes(osc('7;file://box/home/ann/src')));
    registry.output('$1', '%2', bytes(osc('633;P;Cwd=/srv/app')));
    registry.output('$1', '%3', bytes('no markers at all\r\n'));
    await settle();
    const idleIn = (cwd: string) => ({ source: 'proc' as const, cwd, argv: null });
    expect(registry.cwd({ id: '%1', pid: 101 }, idleIn('/home/ann/src'))).toEqual({ path: '/home/ann/src', source: 'osc7' });
    expect(registry.cwd({ id: '%2', pid: 102 }, idleIn('/srv/app'))).toEqual({ path: '/srv/app', source: 'osc633' });
    // Nothing better than the floor: the caller keeps its own.
    expect(registry.cwd({ id: '%3', pid: 103 }, idleIn('/tmp'))).toBeUndefined();
    expect(registry.cwd({ id: '%9', pid: 109 }, idleIn('/tmp'))).toBeUndefined();
    // A job runs elsewhere: the shell's own marker cwd still holds.
    expect(registry.cwd({ id: '%1', pid: 101 }, { source: 'proc', cwd: '/etc', argv: ['less', 'x'] })).toEqual({ path: '/home/ann/src', source: 'osc7' });
    // Idle at its prompt in another directory with markers silent (integration lost): /proc wins.
    advance(TRACKER_LIMITS.markerSilenceMs);
    expect(registry.cwd({ id: '%1', pid: 101 }, idleIn('/var/log'))).toBeUndefined();
  });

  it('forgets panes a save no longer saw, and takes nothing after close', async () => {
    const { registry } = setup({ '%1': 101, '%2': 102 });
    registry.output('$1', '%1', bytes(cycle('a', 0)));
    registry.output('$1', '%2', bytes(cycle('b', 0)));
    await settle();
    registry.keepOnly(new Set(['%2']));
    expect(registry.paneIds()).toEqual(['%2']);
    registry.close();
    registry.output('$1', '%3', bytes(cycle('c', 0)));
    await settle();
    expect(registry.paneIds()).toEqual(['%2']);
  });
});
