/**
 * How many tmux processes a restore spends: each costs a fork of the
 * restoring process (the watch daemon, after a crash) and a connection, so
 * the Enters that open the early gates (panes that get a typed command)
 * ride with the next build call instead of a tmux call of their own.
 * Real tmux, real shells; a wrapper `tmux` first on PATH only logs each
 * invocation's argv, one line per call.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckpointBody } from '../../../checkpoints/schema.js';
import { restoreSessions } from '../../../sessions/restore/transaction.js';
import type { ServerSpec } from '../../../sessions/tmux/server.js';
import { sampleDraft } from '../../checkpoints/support/sample-body.js';
import { createTestServer, tempDir, waitFor } from '../../helpers/tmux-server.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

/** A `tmux` that appends its argv (NULs as spaces) to `log`, then runs the real one. */
function loggingTmux(dir: string, log: string): string {
  const script = `#!/bin/sh
printf '%s\\n' "$*" >> '${log}'
exec /usr/bin/tmux "$@"
`;
  writeFileSync(join(dir, 'tmux'), script);
  chmodSync(join(dir, 'tmux'), 0o755);
  return dir;
}

describe('restore build calls', () => {
  it("sends the early gates' Enters with the build, not in tmux calls of their own", async () => {
    const server = createTestServer();
    cleanups.push(() => server.kill());
    const bin = tempDir();
    cleanups.push(() => bin.cleanup());
    const dirs = tempDir();
    cleanups.push(() => dirs.cleanup());
    const log = join(bin.path, 'calls.log');
    // Six sessions of eight panes: a build longer than one tmux message, so
    // early panes of the first chunk get their Enter with a later one.
    const draft = sampleDraft({ sessions: ['a', 'b', 'c', 'd', 'e', 'f'], panesPerWindow: 8 });
    const blob = 'b'.repeat(64);
    // An eight-pane layout tmux itself made.
    server.tmux('new-session', '-d', '-s', 'keep', '-x', '80', '-y', '24');
    for (let i = 1; i < 8; i++) server.tmux('split-window', '-t', 'keep', ';', 'select-layout', '-t', 'keep', 'tiled');
    const layout = server.tmux('display-message', '-p', '-t', 'keep', '#{window_layout}').trim();
    for (const s of draft.sessions) {
      s.windows[0]!.layout = layout;
      for (const p of s.windows[0]!.panes) {
        const cwd = join(dirs.path, s.name, String(p.index));
        mkdirSync(cwd, { recursive: true });
        p.cwd = { path: cwd, source: 'proc' };
        p.contents = { blob, lines: 1, alternateScreen: false };
        if (p.foreground.kind === 'job') p.foreground = { ...p.foreground, argv: ['echo', `typed-${s.name}`], command: 'echo', cwd };
      }
    }
    const checkpoint: CheckpointBody = { ...draft, id: 'test-calls', createdAt: new Date().toISOString() };
    const socketPath = join(`${(process.env.TMUX_TMPDIR || '/tmp').replace(/\/+$/, '')}/tmux-${process.getuid?.() ?? 0}`, server.name);
    const spec: ServerSpec = { socketPath, label: `-L ${server.name}`, configFile: '/dev/null' };

    const result = await restoreSessions({
      server: spec,
      checkpoint,
      sessions: [],
      replace: false,
      noCommands: false,
      dryRun: false,
      rules: [],
      readBlob: async (sha) => (sha === blob ? { v: 1, normal: 'saved screen line', alternate: null } : null),
      env: { ...server.env, PATH: `${loggingTmux(bin.path, log)}:${server.env.PATH ?? ''}` },
    });

    expect(result.restored.map((r) => r.name)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(result.typed.map((t) => t.text)).toEqual(['a', 'b', 'c', 'd', 'e', 'f'].map((n) => `echo typed-${n}`));
    const calls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    const builds = calls.filter((c) => c.includes('tsession-gate:'));
    expect(builds.length).toBeGreaterThan(1);
    // Some early gate opened from inside a later build call…
    expect(builds.slice(1).some((c) => / send-keys -t %\d+ Enter ; /.test(c))).toBe(true);
    // …and no more tmux calls than the build's plus a fixed few (read, start,
    // version, the last chunk's Enters, verify, finalize, typing, marks, gates, options).
    expect(calls.length).toBeLessThanOrEqual(builds.length + 10);
    // Every typed command reached its shell, at its prompt, behind the saved screen.
    for (const n of ['a', 'b', 'c', 'd', 'e', 'f']) {
      await waitFor(
        () => {
          const screen = server.tmux('capture-pane', '-p', '-t', `${n}:0.1`);
          return screen.includes('saved screen line') && screen.includes(`echo typed-${n}`);
        },
        20_000,
        `the typed command in ${n}:0.1`,
      );
    }
  }, 60_000);
});
