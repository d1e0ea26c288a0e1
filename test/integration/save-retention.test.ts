/**
 * `tsession save` applies retention through the real CLI: it prunes when the
 * store holds more than keepLast checkpoints, and every PRUNE_SWEEP_EVERY-th
 * checkpoint below that (sweeping what crashed writers left), but otherwise
 * skips the directory scans.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineCount, PRUNE_SWEEP_EVERY, shouldPrune } from '../../src/ops/save.js';
import { runCli } from '../helpers/cli.js';
import { createTestServer, type TestServer } from '../helpers/tmux-server.js';

describe('shouldPrune', () => {
  it('prunes above keepLast, on every sweep multiple, and when the count is unknown', () => {
    expect(shouldPrune(3, 2)).toBe(true);
    expect(shouldPrune(2, 2)).toBe(false);
    expect(shouldPrune(1, 50)).toBe(false);
    expect(shouldPrune(PRUNE_SWEEP_EVERY, 50)).toBe(true);
    expect(shouldPrune(PRUNE_SWEEP_EVERY + 1, 50)).toBe(false);
    expect(shouldPrune(null, 50)).toBe(true);
  });
});

describe('save and retention', () => {
  let server: TestServer;
  let stateDir: string;
  beforeAll(() => {
    server = createTestServer();
    server.tmux('new-session', '-d', '-s', 'work', '-x', '80', '-y', '24');
    stateDir = join(server.home, 'state');
  });
  afterAll(() => server.kill());

  const checkpointFiles = (): string[] => {
    const servers = join(stateDir, 'servers');
    const [dir] = readdirSync(servers);
    return readdirSync(join(servers, dir!, 'checkpoints'));
  };
  const save = async (): Promise<void> => {
    const r = await runCli(server, ['--state-dir', stateDir, 'save', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  };

  it('keeps keepLast checkpoints and sweeps a dead writer’s temp file on the sweep save', async () => {
    const configDir = join(server.home, '.config', 'tsession');
    mkdirSync(configDir, { recursive: true });
    writeFileSync(join(configDir, 'config.json'), JSON.stringify({ contents: { lines: 0 }, retention: { keepLast: 3, dailyForDays: 0 } }));
    for (let i = 0; i < 5; i++) await save();
    expect(checkpointFiles().filter((f) => f.endsWith('.json'))).toHaveLength(3);

    // Below keepLast, a dead writer's temp file stays until the sweep save.
    writeFileSync(join(configDir, 'config.json'), JSON.stringify({ contents: { lines: 0 }, retention: { keepLast: 50, dailyForDays: 0 } }));
    const servers = join(stateDir, 'servers');
    const dir = join(servers, readdirSync(servers)[0]!, 'checkpoints');
    const dead = `.x.json.${(2 ** 22 + 12345).toString(36)}.0123456789ab.tmp`;
    writeFileSync(join(dir, dead), 'partial');
    await save(); // 4 checkpoints
    expect(checkpointFiles()).toContain(dead);
    for (let n = 5; n <= PRUNE_SWEEP_EVERY; n++) await save();
    expect(checkpointFiles()).not.toContain(dead);
    expect(checkpointFiles().filter((f) => f.endsWith('.json'))).toHaveLength(PRUNE_SWEEP_EVERY);
  });
});

describe('lineCount', () => {
  it('counts like splitting on newlines', () => {
    for (const t of ['a', 'a\n', 'a\nb', '\n\n', 'x\ny\nz\n', 'ü\n\u{1F600}']) expect(lineCount(t)).toBe(t.split('\n').length);
    expect(lineCount('')).toBe(0);
  });
});
