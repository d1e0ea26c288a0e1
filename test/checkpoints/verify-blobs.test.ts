/**
 * `verify` reads every blob a checkpoint references and checks its hash
 * (issue 11, defect 8): a damaged blob makes the checkpoint "corrupt",
 * where `read` alone only sees that the file is there.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCheckpointStore } from '../../checkpoints/store.js';
import { PROC_IDENTITY } from '../../sessions/proc/liveness.js';
import { cleanupAfterEach } from '../helpers/teardown.js';
import { tempDir } from '../helpers/tmux-server.js';
import { SAMPLE_HOME, sampleDraft } from './support/sample-body.js';

const afterTest = cleanupAfterEach();

async function storeWithBlob() {
  const t = tempDir('tsession-verify-');
  afterTest(t.cleanup);
  const store = createCheckpointStore({ dir: join(t.path, 'server'), homeDir: SAMPLE_HOME, identity: PROC_IDENTITY });
  const put = await store.putBlob({ v: 1, normal: 'line 1\nline 2\n', alternate: null });
  if (!put.ok) throw new Error(put.error.message);
  const w = await store.write(sampleDraft({ sessions: ['api'], blob: put.value.sha256 }));
  if (!w.ok || w.value.kind !== 'written') throw new Error('not written');
  return { store, id: w.value.id, sha: put.value.sha256, blobFile: join(store.dir, 'blobs', `${put.value.sha256}.msgpack`) };
}

describe('store.verify', () => {
  it('passes a checkpoint whose blobs are intact', async () => {
    const { store, id } = await storeWithBlob();
    expect((await store.verify(id)).ok).toBe(true);
  });

  it('a blob with flipped bytes: read still passes, verify says corrupt and names the blob and pane', async () => {
    const { store, id, sha, blobFile } = await storeWithBlob();
    const bytes = readFileSync(blobFile);
    bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 0x20;
    writeFileSync(blobFile, bytes);
    expect((await store.read(id)).ok).toBe(true);
    const v = await store.verify(id);
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.error.kind).toBe('corrupt');
    expect(v.error.reason).toContain(`corrupt blob ${sha.slice(0, 12)}`);
    expect(v.error.reason).toContain('session "api"');
  });

  it('a missing blob is corrupt too', async () => {
    const { store, id, blobFile } = await storeWithBlob();
    unlinkSync(blobFile);
    const v = await store.verify(id);
    expect(!v.ok && v.error.kind).toBe('corrupt');
  });
});
