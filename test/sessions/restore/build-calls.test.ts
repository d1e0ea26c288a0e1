/**
 * How and when a restore spends tmux processes: each costs a fork of the
 * restoring process (the watch daemon, after a crash) and a connection.
 * The build goes in as few calls as tmux's message limit allows, and the
 * shells that get a typed command start only once the sessions are in
 * place (renamed), in one call: started during the build, they competed
 * with tmux for the CPU. Real tmux, real shells; a wrapper `tmux` first on
 * PATH only logs each invocation's argv (and a script's lines), one line
 * per call.
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

/** A `tmux` that appends its argv (and a `source-file -` script, lines joined by `|`) to `log`, then runs the real one. */
function loggingTmux(dir: string, log: string): string {
  const script = `#!/bin/sh
case "$*" in
  *"source-file -")
    script=$(cat)
    printf '%s <<< %s\\n' "$*" "$(printf '%s' "$script" | tr '\\n' '|')" >> '${log}'
    printf '%s\\n' "$script" | /usr/bin/tmux "$@"
    exit $? ;;
esac
printf '%s\\n' "$*" >> '${log}'
exec /usr/bin/tmux "$@"
`;
  writeFileSync(join(dir, 'tmux'), script);
  chmodSync(join(dir, 'tmux'), 0o755);
  return dir;
}

describe('restore build calls', () => {
  it('builds in few calls and starts the shells that get a typed command once the sessions are in place', async () => {
    const server = createTestServer();
    cleanups.push(() => server.kill());
    const bin = tempDir();
    cleanups.push(() => bin.cleanup());
    const dirs = tempDir();
    cleanups.push(() => dirs.cleanup());
    const log = join(bin.path, 'calls.log');
    // Six sessions of eight panes: a build longer than one tmux message.
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
    expect(result.typed.map((t) => t.text).sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f'].map((n) => `echo typed-${n}`));
    const calls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    const builds = calls.filter((c) => c.includes('tsession-gate:'));
    expect(builds.length).toBeGreaterThan(1);
    // No more tmux calls than the build's plus a fixed few (read, version,
    // start, verify, finalize, early Enters, typing, marks, gates, options).
    expect(calls.length).toBeLessThanOrEqual(builds.length + 10);
    // The early gates open in one call, after the renames; no build call opens one.
    const early = calls.flatMap((c, i) => (/'send-keys' '-t' '%\d+' 'Enter'/.test(c) ? [i] : []));
    expect(early).toHaveLength(1);
    expect(calls[early[0]!]!.match(/'Enter'/g)).toHaveLength(6);
    expect(early[0]).toBeGreaterThan(calls.findIndex((c) => c.includes('rename-session')));
    expect(builds.some((c) => c.includes('send-keys'))).toBe(false);
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
