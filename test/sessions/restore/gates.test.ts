/**
 * The restore's tty writes are asynchronous: a pane whose terminal stops
 * being read while its saved contents are written (here: the tmux server is
 * stopped with SIGSTOP for 1.5 s right after the build made the pane) must
 * not block the event loop, and the contents still arrive once tmux reads
 * again. Real tmux, real shell; a wrapper `tmux` first on PATH only adds
 * the SIGSTOP after the build call.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckpointBody } from '../../../checkpoints/schema.js';
import { writeToTty } from '../../../sessions/restore/gates.js';
import { restoreSessions } from '../../../sessions/restore/transaction.js';
import type { ServerSpec } from '../../../sessions/tmux/server.js';
import { sampleDraft } from '../../checkpoints/support/sample-body.js';
import { createTestServer, tempDir, waitFor, type TestServer } from '../../helpers/tmux-server.js';

const STOP_MS = 1_500;
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

/** A `tmux` that runs the real one, then stops the server for STOP_MS after the build (the call that prints gate lines). */
function stallingTmux(dir: string): string {
  const real = '/usr/bin/tmux';
  const script = `#!/bin/sh
${real} "$@"; rc=$?
case "$*" in
  *tsession-gate:*)
    pid=$(${real} "$1" "$2" display-message -p '#{pid}')
    kill -STOP "$pid"
    (sleep ${STOP_MS / 1000}; kill -CONT "$pid") </dev/null >/dev/null 2>&1 &
    ;;
esac
exit $rc
`;
  writeFileSync(join(dir, 'tmux'), script);
  chmodSync(join(dir, 'tmux'), 0o755);
  return dir;
}

function specOf(server: TestServer): ServerSpec {
  const socketPath = join(`${(process.env.TMUX_TMPDIR || '/tmp').replace(/\/+$/, '')}/tmux-${process.getuid?.() ?? 0}`, server.name);
  return { socketPath, label: `-L ${server.name}`, configFile: '/dev/null' };
}

describe('restore tty writes', () => {
  it('a pane whose terminal stops reading does not block the event loop, and its contents still arrive', async () => {
    const server = createTestServer();
    cleanups.push(() => server.kill());
    const bin = tempDir();
    cleanups.push(() => bin.cleanup());
    server.tmux('new-session', '-d', '-s', 'keep');
    // Far more than a pty buffer holds (64 KB), so the writer must wait for tmux.
    const lines = Array.from({ length: 20_000 }, (_, i) => `saved line ${String(i).padStart(5, '0')} ${'x'.repeat(40)}`);
    const blob = 'a'.repeat(64);
    const draft = sampleDraft({ sessions: ['stall'], panesPerWindow: 1, blob });
    // A one-pane layout tmux itself made.
    draft.sessions[0]!.windows[0]!.layout = server.tmux('display-message', '-p', '-t', 'keep', '#{window_layout}').trim();
    const checkpoint: CheckpointBody = { ...draft, id: 'test-stall', createdAt: new Date().toISOString() };

    let last = performance.now();
    let maxGapMs = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      maxGapMs = Math.max(maxGapMs, now - last);
      last = now;
    }, 10);
    const t0 = performance.now();
    try {
      const result = await restoreSessions({
        server: specOf(server),
        checkpoint,
        sessions: [],
        replace: false,
        noCommands: true,
        dryRun: false,
        rules: [],
        readBlob: async (sha) => (sha === blob ? { v: 1, normal: lines.join('\n'), alternate: null } : null),
        env: { ...server.env, PATH: `${stallingTmux(bin.path)}:${server.env.PATH ?? ''}` },
      });
      const elapsedMs = performance.now() - t0;
      expect(result.restored.map((r) => r.name)).toEqual(['stall']);
      expect(result.notes.filter((n) => n.includes('not shown'))).toEqual([]);
      // The restore did wait for the stopped tmux (the contents went through only after it resumed)…
      expect(elapsedMs).toBeGreaterThan(STOP_MS * 0.8);
      // …without the process freezing meanwhile.
      expect(maxGapMs).toBeLessThan(400);
    } finally {
      clearInterval(ticker);
    }
    await waitFor(() => server.tmux('capture-pane', '-p', '-t', 'stall', '-S', '-5').includes('saved line 19999'), 10_000, 'the last saved line');
  }, 30_000);

  it('gives up at its deadline with ETIMEDOUT when tmux never reads again, and leaves the loop free meanwhile', async () => {
    const server = createTestServer();
    cleanups.push(() => server.kill());
    server.tmux('new-session', '-d', '-s', 'w');
    const tty = server.tmux('display-message', '-p', '-t', 'w', '#{pane_tty}').trim();
    const pid = Number(server.tmux('display-message', '-p', '#{pid}').trim());
    process.kill(pid, 'SIGSTOP');
    cleanups.unshift(() => process.kill(pid, 'SIGCONT'));
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    const t0 = performance.now();
    try {
      const write = writeToTty(tty, 'y'.repeat(1 << 20), AbortSignal.timeout(300));
      await expect(write).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    } finally {
      clearInterval(ticker);
    }
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(280);
    expect(ms).toBeLessThan(2_000);
    // ~30 ticks in 300 ms when the loop is free; a blocking write would allow none.
    expect(ticks).toBeGreaterThan(10);
  });

  it('refuses a path that is not a pane terminal', async () => {
    await expect(writeToTty('/etc/passwd', 'x')).rejects.toThrow(/not a pty/);
  });
});
