import { describe, expect, it } from 'vitest';
import { lastCommandSchema } from '../../../checkpoints/schema.js';
import { createMarkerParser } from '../../../parsers/marker-parser.js';
import { feedPane, PaneTracker, TRACKER_LIMITS, type PaneTrackerOptions } from '../../../sessions/shell-integration/pane-tracker.js';

function setup(options: PaneTrackerOptions = {}) {
  let t = 1_000;
  const clock = { advance: (ms: number) => (t += ms) };
  const tracker = new PaneTracker({ now: () => t, ...options });
  return { tracker, clock };
}

/** One genuine prompt → command → finish cycle as the shell scripts emit it. */
function cycle(
  tracker: PaneTracker,
  clock: { advance(ms: number): void },
  commandLine: string,
  exitCode: number,
  { trusted = true, tookMs = 50 } = {},
) {
  tracker.handleCwd('/home/ann', '633');
  tracker.handlePromptStart('633');
  tracker.handleCommandStart('633');
  tracker.handleCommandLine(commandLine, trusted);
  tracker.handleCommandExecuted('633');
  clock.advance(tookMs);
  tracker.handleCommandFinished(exitCode, '633');
}

describe('PaneTracker lifecycle', () => {
  it('records a trusted command with exit code, duration and provenance', () => {
    const { tracker, clock } = setup();
    cycle(tracker, clock, 'make test', 2, { tookMs: 1234 });
    const s = tracker.snapshot();
    expect(s.lastCommand).toEqual({
      commandLine: 'make test',
      trusted: true,
      exitCode: 2,
      durationMs: 1234,
      source: 'osc633-trusted',
    });
    expect(s.mode).toBe('integrated');
    expect(s.dialect).toBe('633');
    expect(s.phase).toBe('finished');
    expect(s.cwd).toEqual({ path: '/home/ann', source: 'osc633' });
    expect(s.recentCommands).toHaveLength(1);
    expect(lastCommandSchema.parse(s.lastCommand)).toEqual(s.lastCommand);
  });

  it('reports the running command, then clears it on D', () => {
    const { tracker, clock } = setup();
    tracker.handlePromptStart('633');
    tracker.handleCommandLine('sleep 5', true);
    tracker.handleCommandExecuted('633');
    expect(tracker.snapshot().currentCommand).toEqual({
      commandLine: 'sleep 5',
      trusted: true,
      startedAt: 1_000,
      source: 'osc633-trusted',
    });
    expect(tracker.snapshot().phase).toBe('executing');
    clock.advance(10);
    tracker.handleCommandFinished(130);
    expect(tracker.snapshot().currentCommand).toBeNull();
    expect(tracker.snapshot().lastCommand?.exitCode).toBe(130);
  });

  it('treats D without exit code after no C as an empty Enter: nothing recorded', () => {
    const { tracker, clock } = setup();
    cycle(tracker, clock, 'ls', 0);
    tracker.handlePromptStart('633');
    tracker.handleCommandStart('633');
    tracker.handleCommandFinished(null);
    const s = tracker.snapshot();
    expect(s.recentCommands).toHaveLength(1);
    expect(s.lastCommand?.commandLine).toBe('ls');
  });

  it('ignores a forged command line printed while a trusted command runs', () => {
    const { tracker, clock } = setup();
    tracker.handlePromptStart('633');
    tracker.handleCommandLine('cat hostile.txt', true);
    tracker.handleCommandExecuted('633');
    tracker.handleCommandLine('rm -rf ~', false);
    clock.advance(5);
    tracker.handleCommandFinished(0);
    const s = tracker.snapshot();
    expect(s.lastCommand).toMatchObject({ commandLine: 'cat hostile.txt', trusted: true });
    expect(s.counters.ignoredCommandLines).toBe(1);
  });

  it('never lets a forged full cycle displace a trusted last command', () => {
    const { tracker, clock } = setup();
    cycle(tracker, clock, 'vim notes.md', 0);
    // A background job prints a whole forged cycle while the shell is idle.
    tracker.handleCommandLine('rm -rf ~', false);
    tracker.handleCommandExecuted('633');
    tracker.handleCommandFinished(0);
    const s = tracker.snapshot();
    expect(s.lastCommand).toMatchObject({ commandLine: 'vim notes.md', trusted: true, source: 'osc633-trusted' });
    expect(s.recentCommands.at(-1)).toMatchObject({ commandLine: 'rm -rf ~', trusted: false, source: 'osc633' });
  });

  it('lets untrusted command lines replace each other when no nonce is known', () => {
    const { tracker, clock } = setup();
    cycle(tracker, clock, 'one', 0, { trusted: false });
    cycle(tracker, clock, 'two', 1, { trusted: false });
    expect(tracker.snapshot().lastCommand).toMatchObject({ commandLine: 'two', trusted: false, exitCode: 1 });
  });

  it('keeps a trusted pending line over an untrusted one printed before C', () => {
    const { tracker } = setup();
    tracker.handlePromptStart('633');
    tracker.handleCommandLine('git status', true);
    tracker.handleCommandLine('rm -rf ~', false);
    tracker.handleCommandExecuted('633');
    expect(tracker.snapshot().currentCommand?.commandLine).toBe('git status');
  });

  it('attributes a nested shell (ssh) to the trusted command that runs it', () => {
    const { tracker, clock } = setup();
    tracker.handleCwd('/home/ann', '633');
    tracker.handlePromptStart('633');
    tracker.handleCommandLine('ssh box', true);
    tracker.handleCommandExecuted('633');
    // The remote shell's own integration, with a nonce we do not know.
    tracker.handleCwd('/srv/remote', '633');
    tracker.handlePromptStart('633');
    tracker.handleCommandStart('633');
    tracker.handleCommandLine('make', false);
    tracker.handleCommandExecuted('633');
    tracker.handleCommandFinished(2);
    tracker.handlePromptStart('633');
    tracker.handleCommandFinished(null); // remote empty Enter
    expect(tracker.snapshot().currentCommand?.commandLine).toBe('ssh box');
    clock.advance(100);
    tracker.handleCommandFinished(0); // ssh exits
    const s = tracker.snapshot();
    expect(s.lastCommand).toMatchObject({ commandLine: 'ssh box', exitCode: 0, trusted: true });
    expect(s.cwd?.path).toBe('/home/ann');
  });

  it('closes a command whose D never came when the next trusted line arrives', () => {
    const { tracker } = setup();
    tracker.handleCommandLine('first', true);
    tracker.handleCommandExecuted('633');
    tracker.handleCommandLine('second', true);
    tracker.handleCommandExecuted('633');
    const s = tracker.snapshot();
    expect(s.recentCommands[0]).toMatchObject({ commandLine: 'first', exitCode: null });
    expect(s.currentCommand?.commandLine).toBe('second');
  });

  it('ends an untrusted command at the next prompt when D is missing', () => {
    const { tracker } = setup();
    tracker.handleCommandExecuted('133');
    tracker.handlePromptStart('133');
    expect(tracker.snapshot().recentCommands).toHaveLength(1);
    expect(tracker.snapshot().currentCommand).toBeNull();
  });

  it('reads the command line of OSC 133 C options (kitty cmdline_url)', () => {
    const { tracker } = setup();
    tracker.handlePromptStart('133');
    tracker.handleCommandExecuted('133', { cmdline_url: 'echo%20%22hi%22' });
    tracker.handleCommandFinished(0, '133');
    expect(tracker.snapshot().lastCommand).toEqual({
      commandLine: 'echo "hi"',
      trusted: false,
      exitCode: 0,
      durationMs: 0,
      source: 'osc133',
    });
    expect(tracker.snapshot().dialect).toBe('133');
  });

  it('bounds the ring of recent commands', () => {
    const { tracker, clock } = setup();
    for (let i = 0; i < TRACKER_LIMITS.recentCommands + 5; i++) cycle(tracker, clock, `cmd ${i}`, 0);
    const ring = tracker.snapshot().recentCommands;
    expect(ring).toHaveLength(TRACKER_LIMITS.recentCommands);
    expect(ring[0]!.commandLine).toBe('cmd 5');
  });
});

describe('PaneTracker cwd ladder', () => {
  it('prefers OSC 633 over OSC 7 and keeps it against a later OSC 7', () => {
    const { tracker } = setup();
    tracker.handleCwd('/a', '7', 'box');
    expect(tracker.snapshot().cwd).toEqual({ path: '/a', source: 'osc7', host: 'box' });
    tracker.handleCwd('/b', '633');
    tracker.handleCwd('/c', '7');
    expect(tracker.snapshot().cwd).toEqual({ path: '/b', source: 'osc633' });
  });

  it('ignores cwd reports while a command runs (they are the program’s)', () => {
    const { tracker } = setup();
    tracker.handleCwd('/home/ann', '633');
    tracker.handleCommandExecuted('633');
    tracker.handleCwd('/remote', '7');
    expect(tracker.snapshot().cwd?.path).toBe('/home/ann');
  });

  it('never has less than the proc rung, and proc never overwrites a current marker cwd', () => {
    const { tracker, clock } = setup();
    tracker.applyProcFacts({ source: 'proc', cwd: '/p', argv: null });
    expect(tracker.snapshot().cwd).toEqual({ path: '/p', source: 'proc' });
    tracker.handleCwd('/m', '633');
    tracker.applyProcFacts({ source: 'proc', cwd: '/p2', argv: null });
    expect(tracker.snapshot().cwd).toEqual({ path: '/m', source: 'osc633' });
    // A command runs (not idle): still no overrule, however long.
    clock.advance(60_000);
    tracker.applyProcFacts({ source: 'proc', cwd: '/p3', argv: ['vim'] });
    expect(tracker.snapshot().cwd?.source).toBe('osc633');
  });

  it('lets proc overrule a marker cwd contradicted at an idle prompt after markers fell silent', () => {
    const { tracker, clock } = setup();
    tracker.handleCwd('/m', '633');
    clock.advance(TRACKER_LIMITS.markerSilenceMs - 1);
    tracker.applyProcFacts({ source: 'proc', cwd: '/elsewhere', argv: null });
    expect(tracker.snapshot().cwd?.source).toBe('osc633');
    clock.advance(1);
    tracker.applyProcFacts({ source: 'proc', cwd: '/elsewhere', argv: null });
    expect(tracker.snapshot().cwd).toEqual({ path: '/elsewhere', source: 'proc' });
    // Agreement never downgrades.
    tracker.handleCwd('/same', '633');
    clock.advance(60_000);
    tracker.applyProcFacts({ source: 'proc', cwd: '/same', argv: null });
    expect(tracker.snapshot().cwd?.source).toBe('osc633');
  });

  it('keeps the foreground job apart from the shell cwd', () => {
    const { tracker } = setup();
    tracker.applyProcFacts({ source: 'proc', cwd: '/home/ann', argv: ['vim', 'x.md'], jobCwd: '/home/ann/src' });
    expect(tracker.snapshot().foreground).toEqual({ argv: ['vim', 'x.md'], cwd: '/home/ann/src', source: 'proc' });
    tracker.applyProcFacts({ source: 'tmux', argv: null });
    expect(tracker.snapshot().foreground).toBeNull();
  });
});

describe('PaneTracker modes', () => {
  it('reports passthrough after the byte bound without a marker, and recovers on a marker', () => {
    const { tracker } = setup({ limits: { passthroughAfterBytes: 100 } });
    tracker.noteOutput(99);
    expect(tracker.snapshot().mode).toBe('detecting');
    tracker.noteOutput(1);
    expect(tracker.snapshot().mode).toBe('passthrough');
    tracker.handlePromptStart('133');
    expect(tracker.snapshot().mode).toBe('integrated');
  });

  it('forgets marker facts on reset but keeps the proc floor', () => {
    const { tracker, clock } = setup();
    tracker.applyProcFacts({ source: 'tmux', cwd: '/t', argv: null });
    cycle(tracker, clock, 'ls', 0);
    tracker.reset();
    const s = tracker.snapshot();
    expect(s.lastCommand).toBeUndefined();
    expect(s.cwd).toEqual({ path: '/t', source: 'tmux' });
    expect(s.mode).toBe('detecting');
  });

  it('produces a JSON round-trippable snapshot', () => {
    const { tracker, clock } = setup();
    cycle(tracker, clock, 'echo "a;b" \\ c', 0);
    const s = tracker.snapshot();
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});

describe('feedPane with the marker parser', () => {
  it('turns a nonce-signed byte stream into trusted pane state', () => {
    const nonce = '0123456789abcdef0123456789abcdef';
    const { tracker, clock } = setup();
    const parser = createMarkerParser({ nonce });
    const enc = new TextEncoder();
    const chunks = [
      '\x1b]633;P;Cwd=/tmp/a\\x3bb\x07\x1b]633;A\x07$ \x1b]633;B\x07',
      `\x1b]633;E;echo \\\\ \\x3b;${nonce}\x07\x1b]633;C\x07out\r\n`,
      '\x1b]633;E;rm -rf ~;deadbeefdeadbeefdeadbeefdeadbeef\x07',
    ];
    for (const c of chunks) feedPane(tracker, parser, enc.encode(c));
    clock.advance(7);
    feedPane(tracker, parser, enc.encode('\x1b]633;D;3\x07'));
    const s = tracker.snapshot();
    expect(s.cwd).toEqual({ path: '/tmp/a;b', source: 'osc633' });
    expect(s.lastCommand).toEqual({
      commandLine: 'echo \\ ;',
      trusted: true,
      exitCode: 3,
      durationMs: 7,
      source: 'osc633-trusted',
    });
    expect(s.counters.ignoredCommandLines).toBe(1);
  });
});
