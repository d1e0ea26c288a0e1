/**
 * The restore plan re-runs an allowlisted program only when its command
 * line was read from /proc: one from an imported save file (provenance
 * `heuristic`) is typed without Enter, allowlisted or not.
 */
import { describe, expect, it } from 'vitest';
import type { PaneRecord } from '../../../checkpoints/schema.js';
import { planRestore, type PlanContext } from '../../../sessions/restore/plan.js';
import { session } from '../support/records.js';

const ctx: PlanContext = {
  baseIndex: 0,
  paneBaseIndex: 0,
  nearestDir: (p) => p,
  resolveShell: () => ({ argv: ['/usr/bin/bash'] }),
  hasContents: () => false,
  defaultTitle: '',
  rules: [{ program: 'vim', whenAnyArg: null }],
  noCommands: false,
};

function withVim(source: 'proc' | 'heuristic') {
  const s = session();
  const pane: PaneRecord = {
    ...s.windows[0]!.panes[0]!,
    foreground: { kind: 'job', command: 'vim', argv: ['vim', 'notes.txt'], cwd: null, source },
  };
  return { ...s, windows: [{ ...s.windows[0]!, panes: [pane] }] };
}

describe('re-running an imported command', () => {
  it('runs an allowlisted command read from /proc', () => {
    const plan = planRestore([{ record: withVim('proc'), name: 'w', tmpName: 't' }], ctx);
    expect(plan.typing).toEqual([expect.objectContaining({ text: 'vim notes.txt', enter: true })]);
  });

  it('types the same command without Enter when it came from a file', () => {
    const plan = planRestore([{ record: withVim('heuristic'), name: 'w', tmpName: 't' }], ctx);
    expect(plan.typing).toEqual([expect.objectContaining({ text: 'vim notes.txt', enter: false, why: 'typed, not run (not read from /proc: unproven)' })]);
  });
});
