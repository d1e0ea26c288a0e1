/**
 * Writes that cannot happen: atomic-write's steps failing one by one, a
 * state dir whose parent is a file, a read-only file system, a full disk.
 * Tests run as root here, where chmod does not stop writes, so read-only and
 * full are real tmpfs mounts (skipped, with the reason, where mount is refused).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ATOMIC_WRITE_STEPS, writeFileAtomic } from '../../checkpoints/atomic-write.js';
import { LAYOUT, StateDirError } from '../../checkpoints/paths.js';
import { createCheckpointStore } from '../../checkpoints/store.js';
import { PROC_IDENTITY } from '../../sessions/proc/liveness.js';
import { tempDir } from '../helpers/tmux-server.js';
import { cleanupAfterEach } from '../helpers/teardown.js';
import { SAMPLE_HOME, sampleDraft } from './support/sample-body.js';

const afterTest = cleanupAfterEach();

function scratch(): string {
  const t = tempDir('tsession-fail-');
  afterTest(t.cleanup);
  return t.path;
}

// Probe once whether this environment lets us mount a tmpfs.
const mountRefusal: string | null = (() => {
  const t = tempDir('tsession-mount-probe-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', t.path], { stdio: 'pipe' });
    execFileSync('umount', [t.path], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return `mount -t tmpfs is not permitted here (${String((error as Error).message).split('\n')[0]})`;
  } finally {
    t.cleanup();
  }
})();
if (mountRefusal) console.warn(`[skip] read-only and disk-full tests: ${mountRefusal}`);

function mountTmpfs(options: string): string {
  const dir = join(scratch(), 'mnt');
  mkdirSync(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
  afterTest(() => {
    try {
      execFileSync('umount', [dir], { stdio: 'pipe' });
    } catch {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
    }
    rmdirSync(dir);
  });
  return dir;
}

describe('writeFileAtomic', () => {
  it('writes a 0600 file and leaves no temp file', async () => {
    const dir = scratch();
    const file = join(dir, 'a.json');
    expect(await writeFileAtomic(file, 'héllo')).toBe(6);
    expect(readFileSync(file, 'utf8')).toBe('héllo');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  it.each(ATOMIC_WRITE_STEPS)('failing after step %s leaves the old or the new file whole, and no temp file', async (failAt) => {
    const dir = scratch();
    const file = join(dir, 'a.json');
    await writeFileAtomic(file, 'old contents');
    const e = await writeFileAtomic(file, 'new contents', {
      afterStep: (step) => {
        if (step === failAt) throw Object.assign(new Error(`boom at ${step}`), { code: 'EIO' });
      },
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StateDirError);
    expect((e as StateDirError).message).toBe(`Cannot write in state dir ${dir} (EIO): boom at ${failAt}`);
    const after = readFileSync(file, 'utf8');
    const renamed = ATOMIC_WRITE_STEPS.indexOf(failAt) >= ATOMIC_WRITE_STEPS.indexOf('rename');
    expect(after).toBe(renamed ? 'new contents' : 'old contents');
    expect(readdirSync(dir)).toEqual(['a.json']);
  });
});

describe('unwritable state dir', () => {
  it('a state dir under a regular file → ENOTDIR with what to do', async () => {
    const root = scratch();
    writeFileSync(join(root, 'not-a-dir'), '');
    const stateDir = join(root, 'not-a-dir', 'tsession');
    const store = createCheckpointStore({ dir: join(stateDir, 'servers', 'x'), stateDir, homeDir: SAMPLE_HOME, identity: PROC_IDENTITY });
    const r = await store.write(sampleDraft());
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.kind).toBe('io');
      expect(r.error.code).toBe('ENOTDIR');
      expect(r.error.message).toBe(
        `State dir ${stateDir} cannot be created: part of its path is a file, not a directory (ENOTDIR): move that file or pass --state-dir`,
      );
    }
    // Listing it is an error too, never "no checkpoints": a user would think their saves were gone.
    const l = await store.list();
    expect(!l.ok && l.error).toMatchObject({ kind: 'io', code: 'ENOTDIR', message: expect.stringMatching(/part of the state dir's path is a file/) });
  });

  it.skipIf(mountRefusal !== null)('a read-only file system → EROFS with what to do', async () => {
    const ro = mountTmpfs('ro,size=64k');
    const store = createCheckpointStore({ dir: join(ro, 'servers', 'x'), stateDir: ro, homeDir: SAMPLE_HOME, identity: PROC_IDENTITY });
    const r = await store.write(sampleDraft());
    expect(!r.ok && r.error.message).toBe(
      `State dir ${ro} is on a read-only file system (EROFS): pass --state-dir with a writable directory`,
    );
  });
});

describe('disk full', () => {
  it.skipIf(mountRefusal !== null)('a save fails with the ENOSPC message and the previous checkpoint stays intact', async () => {
    const mnt = mountTmpfs('size=64k,mode=0700');
    const dir = join(mnt, 'servers', 'x');
    const store = createCheckpointStore({ dir, stateDir: mnt, homeDir: SAMPLE_HOME, identity: PROC_IDENTITY });
    const first = await store.write(sampleDraft());
    if (!first.ok || first.value.kind !== 'written') throw new Error('first save failed');
    // Fill every remaining page.
    for (let i = 0; ; i++) {
      try {
        writeFileSync(join(mnt, `filler-${i}`), Buffer.alloc(4096, 1));
      } catch (error) {
        expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
        break;
      }
    }
    const big = sampleDraft({ sessions: ['a', 'b', 'c', 'd'], panesPerWindow: 8 });
    const r = await store.write(big);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('ENOSPC');
      expect(r.error.message).toBe(`State dir ${mnt} is full (ENOSPC): free space or pass --state-dir`);
    }
    const blob = await store.putBlob({ v: 1, normal: 'x'.repeat(8192), alternate: null });
    expect(!blob.ok && blob.error.message).toBe(`State dir ${mnt} is full (ENOSPC): free space or pass --state-dir`);
    // Nothing half-written was left behind, and the last good one is still the newest good.
    expect(readdirSync(join(dir, LAYOUT.checkpoints))).toEqual([`${first.value.id}.json`]);
    expect(readdirSync(join(dir, LAYOUT.blobs))).toEqual([]);
    const n = await store.newestGood();
    expect(n.ok && n.value.checkpoint?.id).toBe(first.value.id);
    expect(n.ok && n.value.warnings).toEqual([]);
    const l = await store.list();
    expect(l.ok && l.value.map((e) => [e.id, e.valid])).toEqual([[first.value.id, true]]);
  });
});
