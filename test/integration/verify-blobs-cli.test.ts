/**
 * A damaged contents blob, through the real CLI (issue 11, defect 8):
 * `checkpoints --verify` calls the checkpoint corrupt (exit 5), and a
 * restore that comes back without those contents says so and exits 10.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { cleanupAfterEach, killServer } from '../helpers/teardown.js';
import { createTestServer, tempDir, waitFor } from '../helpers/tmux-server.js';

const afterTest = cleanupAfterEach();

describe('a corrupt contents blob', () => {
  it('fails verify, and the restore that loses it exits 10 and says so', async () => {
    const server = createTestServer();
    const dir = tempDir('tsession-verify-cli-');
    afterTest(() => killServer(server), dir.cleanup);
    const state = join(dir.path, 'state');
    const env = { TSESSION_STATE_DIR: state };
    server.tmux('new-session', '-d', '-s', 'api', '-x', '80', '-y', '24');
    await waitFor(() => server.tmux('list-panes', '-t', '=api', '-F', '#{cursor_x}').trim() !== '0', 10_000, 'shell prompt');
    server.tmux('send-keys', '-t', '=api:', 'echo worth-keeping', 'Enter');
    await waitFor(() => server.tmux('capture-pane', '-p', '-t', '=api:').split('\n').some((l) => l === 'worth-keeping'), 10_000, 'output');
    expect((await runCli(server, ['save'], env)).code).toBe(0);

    const [serverDir] = readdirSync(join(state, 'servers'));
    const blobsDir = join(state, 'servers', serverDir!, 'blobs');
    const blobs = readdirSync(blobsDir).filter((f) => f.endsWith('.msgpack'));
    expect(blobs).toHaveLength(1);
    const file = join(blobsDir, blobs[0]!);
    const bytes = readFileSync(file);
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0x20;
    writeFileSync(file, bytes);

    const verify = await runCli(server, ['checkpoints', '--verify'], env);
    expect(verify.code).toBe(5);
    expect(verify.stdout).toContain(`NO: corrupt blob ${blobs[0]!.slice(0, 12)}`);

    server.tmux('kill-server');
    await waitFor(() => server.tmuxTry('ls').status !== 0, 5_000, 'server gone');
    const r = await runCli(server, ['restore'], env);
    expect(r.code).toBe(10);
    expect(r.stdout).toMatch(/^restored api \(1 window, 1 pane\) from checkpoint \S+ \(\d+[smhd] ago\)$/m);
    expect(r.stdout).toContain(`contents lost: blob ${blobs[0]!.slice(0, 12)} is corrupt`);
  }, 60_000);
});
