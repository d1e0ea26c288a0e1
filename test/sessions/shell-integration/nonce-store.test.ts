/**
 * sessions/nonce-store.ts: tsession reads a pane's nonce only from a private
 * file of its own user, in a private directory; anything else is refused.
 */
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  generateNonce,
  NONCE_PATTERN,
  nonceDirs,
  nonceFilePath,
  pruneStaleNonces,
  readPaneNonce,
} from '../../../sessions/shell-integration/nonce-store.js';
import { tempDir } from '../../helpers/tmux-server.js';

const NONCE = '0123456789abcdef0123456789abcdef';

describe('readPaneNonce', () => {
  let sandbox: { path: string; cleanup: () => void };
  let env: NodeJS.ProcessEnv;
  let dir: string;

  beforeEach(() => {
    sandbox = tempDir('tsession-nonce-');
    const run = join(sandbox.path, 'run');
    mkdirSync(run, { mode: 0o700 });
    dir = join(run, 'tsession', 'nonce');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    env = { XDG_RUNTIME_DIR: run };
  });
  afterEach(() => sandbox.cleanup());

  const write = (pid: number, text: string, mode = 0o600) => {
    const file = join(dir, String(pid));
    writeFileSync(file, text, { mode });
    chmodSync(file, mode);
    return file;
  };

  it('reads the nonce a shell registered for its pid', () => {
    write(4242, `${NONCE}\n`);
    expect(nonceFilePath(4242, env)).toBe(join(dir, '4242'));
    expect(readPaneNonce(4242, env)).toBe(NONCE);
  });

  it('returns undefined for a pid with no file, or a nonsense pid', () => {
    expect(readPaneNonce(4243, env)).toBeUndefined();
    expect(readPaneNonce(-1, env)).toBeUndefined();
    expect(readPaneNonce(Number.NaN, env)).toBeUndefined();
  });

  it.each([0o640, 0o604, 0o660, 0o644])('refuses a file with mode %o', (mode) => {
    write(4244, NONCE, mode);
    expect(readPaneNonce(4244, env)).toBeUndefined();
  });

  it('refuses a directory others can enter', () => {
    write(4245, NONCE);
    chmodSync(dir, 0o755);
    expect(readPaneNonce(4245, env)).toBeUndefined();
  });

  it('refuses a symlinked file', () => {
    const real = join(sandbox.path, 'elsewhere');
    writeFileSync(real, NONCE, { mode: 0o600 });
    symlinkSync(real, join(dir, '4246'));
    expect(readPaneNonce(4246, env)).toBeUndefined();
  });

  it('refuses content that is not a nonce', () => {
    write(4247, 'short');
    write(4248, `${NONCE};rm -rf ~`);
    write(4249, 'x'.repeat(300));
    expect(readPaneNonce(4247, env)).toBeUndefined();
    expect(readPaneNonce(4248, env)).toBeUndefined();
    expect(readPaneNonce(4249, env)).toBeUndefined();
  });

  it('prunes files of shells that are gone, keeping live ones', () => {
    write(process.pid, NONCE);
    write(999_999_999, NONCE);
    expect(pruneStaleNonces(env)).toEqual([999_999_999]);
    expect(existsSync(join(dir, String(process.pid)))).toBe(true);
  });

  it('prunes the file of a shell that is a zombie (killed, its parent has not reaped it yet)', async () => {
    // The background `sleep 0.3` exits after its parent has exec'd `sleep 5`, which never reaps it: a zombie while the parent lives.
    const parent = spawn('sh', ['-c', 'sleep 0.3 & echo $!; exec sleep 5 >/dev/null'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zombie = Number((await once(parent.stdout!, 'data'))[0].toString().trim());
      await vi.waitFor(() => expect(readFileSync(`/proc/${zombie}/stat`, 'latin1')).toMatch(/\) Z /), { timeout: 2_000 });
      write(zombie, NONCE);
      expect(pruneStaleNonces(env)).toEqual([zombie]);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('looks under $XDG_RUNTIME_DIR first, then the /tmp fallback', () => {
    const uid = process.getuid!();
    expect(nonceDirs(env)).toEqual([dir, `/tmp/tsession-${uid}/tsession/nonce`]);
    expect(nonceDirs({})).toEqual([`/tmp/tsession-${uid}/tsession/nonce`]);
  });
});

describe('generateNonce', () => {
  it('makes 128-bit hex nonces the scripts accept', () => {
    const a = generateNonce();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(NONCE_PATTERN.test(a)).toBe(true);
    expect(generateNonce()).not.toBe(a);
  });
});
