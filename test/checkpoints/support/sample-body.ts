/**
 * Sample checkpoint drafts for tests and child scripts: meaningful bodies of
 * any size, and tmux's default start-up session. Non-goals: realism beyond
 * what the schema requires.
 */
import type { CheckpointDraft } from '../../../checkpoints/store.js';
import type { PaneRecord, SessionRecord } from '../../../checkpoints/schema.js';

/** Home dir the samples (and stores under test) use. */
export const SAMPLE_HOME = '/home/tester' as const;

/** Options for sampleDraft. */
export interface SampleOptions {
  readonly sessions?: readonly string[];
  readonly panesPerWindow?: number;
  /** Blob hash to reference from the first pane. */
  readonly blob?: string | undefined;
  readonly createdAt?: string;
}

/** One pane in `cwd`, optionally running a job. */
export function samplePane(index: number, cwd: string, job?: readonly string[]): PaneRecord {
  return {
    id: `%${index}`,
    index,
    title: `pane ${index}`,
    active: index === 0,
    width: 80,
    height: 24,
    shell: { command: 'bash', argv: ['-bash'] },
    cwd: { path: cwd, source: 'proc' },
    foreground: job
      ? { kind: 'job', command: job[0] ?? 'x', argv: [...job], cwd, source: 'proc' }
      : { kind: 'shell' },
    contents: null,
  };
}

/** A meaningful draft: named sessions with a window of `panesPerWindow` panes each. */
export function sampleDraft(options: SampleOptions = {}): CheckpointDraft {
  const names = options.sessions ?? ['work'];
  const perWindow = options.panesPerWindow ?? 2;
  let paneNo = 0;
  const sessions: SessionRecord[] = names.map((name, s) => ({
    id: `$${s}`,
    name,
    baseIndex: 0,
    createdAt: 1_764_000_000 + s,
    windows: [
      {
        id: `@${s}`,
        index: 0,
        name: 'edit',
        automaticRename: false,
        layout: 'c4f5,80x24,0,0,0',
        active: true,
        last: false,
        zoomed: false,
        panes: Array.from({ length: perWindow }, (_, p) => samplePane(paneNo++, `/srv/${name}/p${p}`, p === 1 ? ['tail', '-f', 'log file.txt'] : undefined)),
      },
    ],
  }));
  const first = sessions[0]?.windows[0]?.panes[0];
  if (first && options.blob) first.contents = { blob: options.blob, lines: 3, alternateScreen: false };
  return {
    ...(options.createdAt ? { createdAt: options.createdAt } : {}),
    host: 'testhost',
    tmuxVersion: '3.4',
    tsessionVersion: '0.1.0',
    server: { socketPath: '/tmp/tmux-0/default', label: 'default' },
    sessions,
  };
}

/** What `tmux` alone creates: session "0", one window, one shell in the home dir. */
export function defaultStartupDraft(home: string = SAMPLE_HOME): CheckpointDraft {
  const draft = sampleDraft({ sessions: ['0'], panesPerWindow: 1 });
  const pane = draft.sessions[0]?.windows[0]?.panes[0];
  if (pane) pane.cwd = { path: home, source: 'proc' };
  return draft;
}
