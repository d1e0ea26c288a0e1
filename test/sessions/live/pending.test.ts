/**
 * The rule that a checkpoint never records a restore's passing states
 * (sessions/live/pending.ts), and the planner's marks that feed it.
 */
import { describe, expect, it } from 'vitest';
import {
  carryForward,
  decodePending,
  encodePending,
  gateArgv,
  gatedShellArgv,
  livePending,
  pendingKey,
  RESTORE_TMP_RE,
  restoreTmpName,
} from '../../../sessions/live/pending.js';
import { paneToRecord } from '../../../sessions/live/record.js';
import type { LivePane } from '../../../sessions/live/types.js';
import { planRestore, type PlanContext } from '../../../sessions/restore/plan.js';
import { PENDING_OPTION } from '../../../sessions/tmux/formats.js';
import { pane, session } from '../support/records.js';

const livePane = (over: Partial<LivePane> = {}): LivePane => ({
  id: '%40',
  index: 1,
  title: 'host',
  active: false,
  last: false,
  width: 60,
  height: 20,
  pid: 4242,
  tty: '/dev/pts/9',
  currentCommand: '',
  currentPath: '',
  dead: false,
  alternateOn: false,
  ...over,
});

describe('a pane at the gate', () => {
  it('is recognised from its argv, and its shell is the one the gate will exec', () => {
    expect(gatedShellArgv(gateArgv(['/usr/bin/bash', '-i']))).toEqual(['/usr/bin/bash', '-i']);
    expect(gatedShellArgv(['/bin/sh', '-c', 'IFS= read -r _;exec "$@"', 'tsession-gate', 'zsh', '-l'])).toEqual(['zsh', '-l']);
    expect(gatedShellArgv(['sh', '-c', 'echo hi', 'tsession-gate', 'bash'])).toBeNull();
    expect(gatedShellArgv(['sh', '-c', 'IFS= read -r _;exec "$@"', 'tsession-gate'])).toBeNull();
    expect(gatedShellArgv(['-bash'])).toBeNull();
    expect(gatedShellArgv(null)).toBeNull();
  });
});

describe('pending marks', () => {
  const mark = { untilMs: 1_700_000_010_000, checkpointId: '20261203T070000.000Z-ab-000001-0123abcd', paneId: '%3' };
  it('round-trip through the option value, and a foreign value is no mark', () => {
    expect(decodePending(encodePending(mark))).toEqual(mark);
    expect(decodePending('')).toBeNull();
    expect(decodePending('soon some %3')).toBeNull();
    expect(decodePending('12 id 3')).toBeNull();
  });
  it('are honoured until their deadline only (a restore that died cannot pin a pane)', () => {
    const v = encodePending(mark);
    expect(livePending(v, mark.untilMs - 1)).toEqual(mark);
    expect(livePending(v, mark.untilMs)).toBeNull();
    expect(livePending(undefined, 0)).toBeNull();
    expect(pendingKey(mark)).toBe(`${mark.checkpointId} %3`);
  });
});

describe('carryForward', () => {
  const saved = pane({
    id: '%3',
    index: 0,
    title: 'editing',
    shell: { command: 'bash', argv: ['-bash'] },
    cwd: { path: '/srv/app', source: 'osc7' },
    foreground: { kind: 'job', command: 'vim', argv: ['vim', 'notes.md'], cwd: '/srv/app', source: 'proc' },
    contents: { blob: 'a'.repeat(64), lines: 12, alternateScreen: false },
    lastCommand: { commandLine: 'make test', exitCode: 0, durationMs: 900, source: 'osc633', trusted: true },
    options: { synchronizePanes: true, remainOnExit: 'on' },
  });
  // What a save reads of the restored pane while its gate holds the shell: the gate's sh, nothing running, no last command.
  const atGate = paneToRecord(livePane({ title: 'editing' }), {
    proc: { shellArgv: ['sh', '-c', 'IFS= read -r _;exec "$@"', 'tsession-gate', '/usr/bin/bash', '-l'], shellCwd: '/srv/app', job: null },
  });

  it('records the pane the restore is making, not the gate: shell, cwd, program, last command, contents', () => {
    expect(atGate.shell.command).toBe('sh');
    expect(atGate.foreground).toEqual({ kind: 'shell' });
    const rec = carryForward(atGate, saved);
    expect(rec.shell).toEqual(saved.shell);
    expect(rec.cwd).toEqual(saved.cwd);
    expect(rec.foreground).toEqual(saved.foreground);
    expect(rec.lastCommand).toEqual(saved.lastCommand);
    expect(rec.contents).toEqual(saved.contents);
    // Set once the restore is done with the pane: not on it yet, recorded all the same.
    expect(atGate.options).toBeUndefined();
    expect(rec.options).toEqual(saved.options);
  });

  it("keeps the live pane's place: its new id, index, size and flags", () => {
    const rec = carryForward(atGate, saved);
    expect({ id: rec.id, index: rec.index, width: rec.width, height: rec.height, active: rec.active }).toEqual({
      id: '%40',
      index: 1,
      width: 60,
      height: 20,
      active: false,
    });
  });

  it('is idempotent: a checkpoint made from a carried record carries the same facts on the next crash', () => {
    const once = carryForward(atGate, saved);
    const twice = carryForward(paneToRecord(livePane({ id: '%77' }), { proc: { shellArgv: ['sh'], shellCwd: '/', job: null } }), once);
    expect({ ...twice, id: once.id, index: once.index, title: once.title, width: once.width, height: once.height }).toEqual(once);
  });

  it('drops a last command the saved pane did not have (the live one is the gate’s)', () => {
    const live = { ...atGate, lastCommand: { commandLine: 'x', exitCode: 0, durationMs: null, source: 'osc133' as const, trusted: false } };
    expect(carryForward(live, pane({ id: '%3' })).lastCommand).toBeUndefined();
  });
});

describe("the planner's marks", () => {
  const ctx = (over: Partial<PlanContext> = {}): PlanContext => ({
    baseIndex: 0,
    paneBaseIndex: 0,
    nearestDir: (p) => p,
    resolveShell: () => ({ argv: ['/usr/bin/bash'] }),
    hasContents: (p) => p.id === '%0',
    defaultTitle: 'host',
    rules: [{ program: 'vim', whenAnyArg: null }],
    noCommands: false,
    ...over,
  });
  const marksOf = (build: readonly (readonly string[])[]) =>
    build.filter((c) => c[0] === 'set-option' && c.includes(PENDING_OPTION)).map((c) => decodePending(c[c.length - 1]!)?.paneId);

  it('mark every pane with a gate or a command, naming the saved pane, and no other', () => {
    const plan = planRestore([{ record: session(), name: 'work', tmpName: restoreTmpName('ab12', 0) }], ctx({ pending: { checkpointId: 'cp1', untilMs: 99 } }));
    // %0 has contents (a gate), %1 runs vim, %3 runs sleep: all three; nothing else in this session.
    expect(marksOf(plan.build)).toEqual(['%0', '%1', '%3']);
    const first = plan.build.find((c) => c.includes(PENDING_OPTION))!;
    expect(first.slice(0, 4)).toEqual(['set-option', '-p', '-t', `${restoreTmpName('ab12', 0)}:2`]);
    expect(decodePending(first[first.length - 1]!)).toEqual({ untilMs: 99, checkpointId: 'cp1', paneId: '%0' });
  });

  it('mark nothing without a pending context (a dry run) or with nothing to wait for', () => {
    expect(marksOf(planRestore([{ record: session(), name: 'work', tmpName: 't' }], ctx()).build)).toEqual([]);
    const plain = planRestore(
      [{ record: session(), name: 'work', tmpName: 't' }],
      ctx({ noCommands: true, hasContents: () => false, pending: { checkpointId: 'cp1', untilMs: 99 } }),
    );
    expect(marksOf(plain.build)).toEqual([]);
  });

  it('build under names a save recognises as temporary', () => {
    expect(RESTORE_TMP_RE.test(restoreTmpName('0f3a9b2c', 3))).toBe(true);
    expect(RESTORE_TMP_RE.test('tsession-restore')).toBe(false);
    expect(RESTORE_TMP_RE.test('work')).toBe(false);
  });
});
