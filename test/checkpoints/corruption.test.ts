/**
 * Damaged checkpoints (fixtures/checkpoints): each is reported with the file
 * and the reason, and newestGood falls back to the older valid one, loudly.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAYOUT } from '../../checkpoints/paths.js';
import { createCheckpointStore, type CheckpointStore } from '../../checkpoints/store.js';
import { PROC_IDENTITY } from '../../sessions/proc/liveness.js';
import { tempDir } from '../helpers/tmux-server.js';
import { cleanupAfterEach } from '../helpers/teardown.js';
import { SAMPLE_HOME } from './support/sample-body.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'checkpoints');
const manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as Record<
  string,
  { id: string; kind: string; reason: string }
>;
const BLOB = '9bbbd56be3f5b058fbaa7a41c0f1488fec5986f6edd8e9785f36ea622d5bd243';
const valid = manifest['valid.json'];
if (!valid) throw new Error('Expected valid.json in the fixture manifest, got none');

const afterTest = cleanupAfterEach();

/** A store holding the valid fixture, its blob and the named damaged fixtures. */
function storeWith(...names: string[]): CheckpointStore {
  const t = tempDir('tsession-corrupt-');
  afterTest(t.cleanup);
  const dir = join(t.path, 'server');
  mkdirSync(join(dir, LAYOUT.checkpoints), { recursive: true });
  mkdirSync(join(dir, LAYOUT.blobs));
  copyFileSync(join(FIXTURES, `${BLOB}.msgpack`), join(dir, LAYOUT.blobs, `${BLOB}.msgpack`));
  for (const name of ['valid.json', ...names]) {
    const m = manifest[name];
    if (!m) throw new Error(`Expected ${name} in the fixture manifest, got none`);
    copyFileSync(join(FIXTURES, name), join(dir, LAYOUT.checkpoints, `${m.id}.json`));
  }
  return createCheckpointStore({ dir, homeDir: SAMPLE_HOME, identity: PROC_IDENTITY });
}

const damaged = Object.entries(manifest).filter(([name]) => name !== 'valid.json');

describe('fixtures', () => {
  it('the valid fixture, written as schema version 1 before PTY sessions existed, still reads', async () => {
    expect(JSON.parse(readFileSync(join(FIXTURES, 'valid.json'), 'utf8')).version).toBe(1);
  });

  it('the valid fixture reads cleanly with its blob', async () => {
    const store = storeWith();
    const r = await store.read(valid.id);
    expect(r.ok).toBe(true);
    const blob = await store.getBlob(BLOB);
    expect(blob.ok && blob.value.normal).toContain('make test');
  });

  it.each(damaged)('%s → a message naming the file and the reason', async (name, m) => {
    const store = storeWith(name);
    const file = join(store.dir, LAYOUT.checkpoints, `${m.id}.json`);
    const r = await store.read(m.id);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe(m.kind);
    expect(r.error.file).toBe(file);
    expect(r.error.reason).toContain(m.reason);
    expect(r.error.message).toContain(file);
    if (m.kind === 'future-version') {
      expect(r.error.message).toBe(`Checkpoint ${file} has schema version 3; this tsession reads up to 2 — upgrade tsession`);
    } else {
      expect(r.error.message).toBe(`Checkpoint ${file} is corrupt (${r.error.reason})`);
    }
  });

  it.each(damaged)('%s as the newest → newestGood uses the valid one with a warning', async (name, m) => {
    const store = storeWith(name);
    const file = join(store.dir, LAYOUT.checkpoints, `${m.id}.json`);
    const r = await store.newestGood();
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.checkpoint?.id).toBe(valid.id);
    expect(r.value.warnings).toHaveLength(1);
    expect(r.value.warnings[0]).toContain(file);
    expect(r.value.warnings[0]).toMatch(new RegExp(`; using ${valid.id}$`));
    if (m.kind === 'corrupt') expect(r.value.warnings[0]).toMatch(/is corrupt \(.+\); using/);
  });

  it('all damaged at once → one warning each, newest first, and the index marks them invalid', async () => {
    const store = storeWith(...damaged.map(([name]) => name));
    const r = await store.newestGood();
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.checkpoint?.id).toBe(valid.id);
    expect(r.value.warnings).toHaveLength(damaged.length);
    const l = await store.list();
    if (!l.ok) throw new Error(l.error.message);
    expect(l.value.map((e) => e.valid)).toEqual([...damaged.map(() => false), true]);
    expect(l.value.find((e) => e.id === manifest['missing-blob.json']?.id)?.error).toMatch(/^missing blob/);
  });

  it('no valid checkpoint at all → null with every reason', async () => {
    const store = storeWith('truncated.json');
    await store.remove(valid.id);
    const r = await store.newestGood();
    expect(r.ok && r.value.checkpoint).toBeNull();
    expect(r.ok && r.value.warnings[0]).toMatch(/is corrupt \(truncated: .+\); no older valid checkpoint$/);
  });
});

describe('other damage', () => {
  it('a file renamed to another id is refused', async () => {
    const store = storeWith();
    const other = '20261124T095959.000Z-1-000009-00000009';
    copyFileSync(join(store.dir, LAYOUT.checkpoints, `${valid.id}.json`), join(store.dir, LAYOUT.checkpoints, `${other}.json`));
    const r = await store.read(other);
    expect(!r.ok && r.error.reason).toBe(`file name says id ${other}, body says ${valid.id}`);
  });

  it('empty, non-object, foreign and schema-invalid files each say why', async () => {
    const store = storeWith();
    const put = (id: string, text: string) => writeFileSync(join(store.dir, LAYOUT.checkpoints, `${id}.json`), text);
    const reason = async (id: string) => {
      const r = await store.read(id);
      return r.ok ? 'ok' : r.error.reason;
    };
    put('e1', '');
    expect(await reason('e1')).toBe('empty file');
    put('e2', '[1,2]');
    expect(await reason('e2')).toBe('expected a JSON object');
    put('e3', '{"hello":1}');
    expect(await reason('e3')).toBe('expected format "tsession-checkpoint", got none');
    put('e4', '{"format":"tsession-checkpoint","version":0}');
    expect(await reason('e4')).toBe('expected schema version 1 to 2, got 0');
    const v = JSON.parse(readFileSync(join(FIXTURES, 'valid.json'), 'utf8'));
    v.body.sessions[0].windows[0].layout = '';
    put('e5', JSON.stringify(v));
    expect(await reason('e5')).toMatch(/^schema: body\.sessions\.0\.windows\.0\.layout: /);
  });

  it('a blob with flipped bytes is refused on read', async () => {
    const store = storeWith();
    const path = join(store.dir, LAYOUT.blobs, `${BLOB}.msgpack`);
    const bytes = readFileSync(path);
    bytes[bytes.length - 2] = (bytes[bytes.length - 2] ?? 0) ^ 0xff;
    writeFileSync(path, bytes);
    const r = await store.getBlob(BLOB);
    expect(!r.ok && r.error.message).toMatch(new RegExp(`^Blob ${path} is unusable \\(content hashes to [0-9a-f]{12}…\\)$`));
  });
});
