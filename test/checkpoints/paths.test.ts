import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensurePrivateDir, resolvePaths, serverDir, serverSlug, StateDirError } from '../../checkpoints/paths.js';
import { tempDir } from '../helpers/tmux-server.js';
import { cleanupAfterEach } from '../helpers/teardown.js';

const base = { homeDir: '/home/u', uid: 1000, cwd: '/work' } as const;
const afterTest = cleanupAfterEach();

describe('resolvePaths', () => {
  it('defaults under the home dir', () => {
    expect(resolvePaths({ ...base, env: {} })).toEqual({
      home: '/home/u',
      stateDir: '/home/u/.local/state/tsession',
      configDir: '/home/u/.config/tsession',
      configFile: '/home/u/.config/tsession/config.json',
      runtimeDir: '/tmp/tsession-1000',
    });
  });

  it('follows XDG and $HOME', () => {
    const env = { HOME: '/h', XDG_STATE_HOME: '/xs', XDG_CONFIG_HOME: '/xc', XDG_RUNTIME_DIR: '/run/user/1000' };
    expect(resolvePaths({ ...base, env })).toEqual({
      home: '/h',
      stateDir: '/xs/tsession',
      configDir: '/xc/tsession',
      configFile: '/xc/tsession/config.json',
      runtimeDir: '/run/user/1000/tsession',
    });
  });

  it('ignores relative XDG values, as the XDG spec says', () => {
    const p = resolvePaths({ ...base, env: { XDG_STATE_HOME: 'rel', XDG_CONFIG_HOME: 'rel', XDG_RUNTIME_DIR: 'rel' } });
    expect(p.stateDir).toBe('/home/u/.local/state/tsession');
    expect(p.configDir).toBe('/home/u/.config/tsession');
    expect(p.runtimeDir).toBe('/tmp/tsession-1000');
  });

  it('--state-dir beats TSESSION_STATE_DIR beats XDG; relative overrides are from cwd', () => {
    const env = { TSESSION_STATE_DIR: '/t', XDG_STATE_HOME: '/xs' };
    expect(resolvePaths({ ...base, env, stateDirOverride: 'here' }).stateDir).toBe('/work/here');
    expect(resolvePaths({ ...base, env }).stateDir).toBe('/t');
    expect(resolvePaths({ ...base, env: { TSESSION_STATE_DIR: 'st' } }).stateDir).toBe('/work/st');
  });
});

describe('server dirs', () => {
  it('are readable, hashed and distinct per socket path', () => {
    const a = serverSlug('/tmp/tmux-1000/default');
    const b = serverSlug('/other/tmux-1000/default');
    expect(a).toMatch(/^default-[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
    expect(serverSlug('/tmp/x/../.. we!rd;$(name)')).toMatch(/^_we_rd___name_-[0-9a-f]{12}$/);
    expect(serverSlug('/')).toMatch(/^socket-[0-9a-f]{12}$/);
    expect(serverDir('/s', '/tmp/tmux-1000/default')).toBe(`/s/servers/${a}`);
  });
});

describe('ensurePrivateDir', () => {
  it('creates 0700 dirs and tightens a loose existing one', async () => {
    const t = tempDir();
    afterTest(t.cleanup);
    const d = join(t.path, 'a', 'b');
    expect(await ensurePrivateDir(d)).toEqual([]);
    expect(statSync(d).mode & 0o777).toBe(0o700);
    expect(statSync(join(t.path, 'a')).mode & 0o777).toBe(0o700);
    chmodSync(d, 0o775);
    expect(await ensurePrivateDir(d)).toEqual([`Tightened permissions of ${d} from 0775 to 0700`]);
    expect(statSync(d).mode & 0o777).toBe(0o700);
  });

  it('says what to do when a parent is a file', async () => {
    const t = tempDir();
    afterTest(t.cleanup);
    writeFileSync(join(t.path, 'file'), '');
    const d = join(t.path, 'file', 'state');
    const e = await ensurePrivateDir(d).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StateDirError);
    expect((e as StateDirError).code).toBe('ENOTDIR');
    expect((e as Error).message).toBe(
      `State dir ${d} cannot be created: part of its path is a file, not a directory (ENOTDIR): move that file or pass --state-dir`,
    );
    mkdirSync(join(t.path, 'dir'));
    writeFileSync(join(t.path, 'dir', 'state'), '');
    const e2 = await ensurePrivateDir(join(t.path, 'dir', 'state')).catch((x: unknown) => x);
    expect((e2 as StateDirError).code).toBe('EEXIST');
  });
});
