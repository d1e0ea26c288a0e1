/**
 * Untrusted text never reaches the terminal as control characters: session
 * names from a checkpoint file and cwds from a real shell, with a C1 CSI
 * (U+009B, which many terminals act on like ESC [) inside, through the real
 * CLI against an isolated tmux server. `list`, `diff` and `unfreeze` once
 * printed them raw (their own visible() stopped at C0 and DEL).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverDir } from '../../checkpoints/paths.js';
import { createCheckpointStore } from '../../checkpoints/store.js';
import { PROC_IDENTITY } from '../../sessions/proc/liveness.js';
import { sampleDraft } from '../checkpoints/support/sample-body.js';
import { runCli } from '../helpers/cli.js';
import { createTestServer, tempDir, waitFor, type TestServer } from '../helpers/tmux-server.js';

const CSI = '\u009b';
const HOSTILE = `evil${CSI}31m`;
/** How visible() shows it: the four characters backslash, x, 9, b. */
const SHOWN = 'evil\\x9b31m';

let s: TestServer;
let state: { path: string; cleanup: () => void };
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  s = createTestServer();
  state = tempDir('tsession-c1-');
  env = { TSESSION_STATE_DIR: state.path };
  s.tmux('new-session', '-d', '-s', 'work', '-x', '80', '-y', '24', '-c', s.home);
  await waitFor(() => s.tmux('list-panes', '-t', '=work', '-F', '#{cursor_x}').trim() !== '0', 10_000, 'shell prompt');
  // A checkpoint holding a session tmux itself would never name so (tmux escapes names): a file in the state dir is untrusted input.
  const socketPath = s.tmux('display-message', '-p', '#{socket_path}').trim();
  const store = createCheckpointStore({ dir: serverDir(state.path, socketPath), stateDir: state.path, identity: PROC_IDENTITY });
  const draft = sampleDraft({ sessions: [HOSTILE], createdAt: new Date(Date.now() - 60_000).toISOString() });
  const written = await store.write({ ...draft, server: { socketPath, label: s.name } });
  expect(written.ok).toBe(true);
});

afterAll(() => {
  s?.kill();
  state?.cleanup();
});

describe('C1 control characters in hostile names', () => {
  it('list shows a saved session name with its CSI made visible', async () => {
    const r = await runCli(s, ['list'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(SHOWN);
    expect(r.stdout).not.toContain(CSI);
  });

  it('diff shows it made visible', async () => {
    const r = await runCli(s, ['diff'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`- ${SHOWN}: not running`);
    expect(r.stdout).not.toContain(CSI);
  });

  it('unfreeze shows it made visible', async () => {
    const r = await runCli(s, ['unfreeze'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^nothing is frozen on tmux server /);
    expect(r.stdout).toContain(SHOWN);
    expect(r.stdout).not.toContain(CSI);
  });

  it("diff shows a real shell's cwd made visible", async () => {
    expect((await runCli(s, ['save', 'work'], env)).code).toBe(0);
    const dir = join(s.home, HOSTILE);
    mkdirSync(dir);
    s.tmux('send-keys', '-t', '=work:', `cd ${join(s.home, 'evil')}*`, 'Enter');
    await waitFor(() => s.tmux('display-message', '-p', '-t', '=work:', '#{pane_current_path}').includes('evil'), 10_000, 'the shell in the hostile dir');
    const r = await runCli(s, ['diff', 'work'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^~ work:$/m);
    expect(r.stdout).toContain(`live ${join(s.home, SHOWN)}`);
    expect(r.stdout).not.toContain(CSI);
  });
});
