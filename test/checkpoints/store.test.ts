import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAYOUT } from '../../checkpoints/paths.js';
import { createCheckpointStore, type CheckpointStore } from '../../checkpoints/store.js';
import { PROC_IDENTITY } from '../../sessions/proc/liveness.js';
import { tempDir } from '../helpers/tmux-server.js';
import { cleanupAfterEach } from '../helpers/teardown.js';
import { defaultStartupDraft, SAMPLE_HOME, sampleDraft } from './support/sample-body.js';

const afterTest = cleanupAfterEach();

function newStore(): CheckpointStore {
  const t = tempDir('tsession-store-');
  afterTest(t.cleanup);
  return createCheckpointStore({ dir: join(t.path, 'server'), homeDir: SAMPLE_HOME, identity: PROC_IDENTITY });
}

async function mustWrite(store: CheckpointStore, draft = sampleDraft()) {
  const r = await store.write(draft);
  if (!r.ok) throw new Error(r.error.message);
  if (r.value.kind !== 'written') throw new Error(`skipped: ${r.value.reason}`);
  return r.value;
}

describe('store round trip', () => {
  it('writes and reads back the same body, with its blob', async () => {
    const store = newStore();
    const blob = { v: 1, normal: '\u001b[1mbold\u001b[0m\nline 2\n', alternate: 'vim screen' } as const;
    const put = await store.putBlob(blob);
    expect(put.ok && put.value.written).toBe(true);
    const draft = sampleDraft({ sessions: ['a', 'b; rm -rf ~', 'ünï\tcode'], blob: put.ok ? put.value.sha256 : '' });
    const w = await mustWrite(store, draft);
    const r = await store.read(w.id);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.body).toEqual({ ...draft, id: w.id, createdAt: r.value.body.createdAt });
    expect(Date.parse(r.value.body.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(r.value.bytes).toBe(w.bytes);
    const sha = r.value.body.sessions[0]?.windows[0]?.panes[0]?.contents?.blob ?? '';
    const got = await store.getBlob(sha);
    expect(got.ok && got.value).toEqual(blob);
  });

  it('stores unchanged contents once', async () => {
    const store = newStore();
    const blob = { v: 1, normal: 'same\n', alternate: null } as const;
    const a = await store.putBlob(blob);
    const b = await store.putBlob({ ...blob });
    expect(a.ok && a.value.written).toBe(true);
    expect(b.ok && b.value.written).toBe(false);
    expect(a.ok && b.ok && a.value.sha256 === b.value.sha256).toBe(true);
    expect(readdirSync(join(store.dir, LAYOUT.blobs))).toHaveLength(1);
  });

  it('refuses to write a blob reference that is not stored', async () => {
    const store = newStore();
    const r = await store.write(sampleDraft({ blob: 'a'.repeat(64) }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/Expected blobs to be stored before the checkpoint, got pane %0 references blob aaaaaaaaaaaa/);
  });

  it('makes private files and dirs (0600/0700) and tightens a loose dir', async () => {
    const store = newStore();
    await mustWrite(store);
    for (const d of [store.dir, join(store.dir, LAYOUT.checkpoints), join(store.dir, LAYOUT.blobs)]) {
      expect(statSync(d).mode & 0o777).toBe(0o700);
    }
    const files = readdirSync(join(store.dir, LAYOUT.checkpoints));
    expect(statSync(join(store.dir, LAYOUT.checkpoints, files[0] ?? '')).mode & 0o777).toBe(0o600);
    expect(statSync(join(store.dir, LAYOUT.index)).mode & 0o777).toBe(0o600);

    chmodSync(store.dir, 0o755);
    const again = createCheckpointStore({ dir: store.dir, homeDir: SAMPLE_HOME, identity: PROC_IDENTITY });
    const w = await again.write(sampleDraft());
    expect(w.ok && w.value.kind === 'written' && w.value.warnings).toEqual([
      `Tightened permissions of ${store.dir} from 0755 to 0700`,
    ]);
    expect(statSync(store.dir).mode & 0o777).toBe(0o700);
  });
});

describe('ids', () => {
  it('stay unique and sorted under 1000 writes in a tight loop', async () => {
    const store = newStore();
    const ids: string[] = [];
    for (let i = 0; i < 1000; i++) ids.push((await mustWrite(store)).id);
    expect(new Set(ids).size).toBe(1000);
    expect([...ids].sort()).toEqual(ids);
    const listed = await store.list();
    expect(listed.ok && listed.value.map((e) => e.id)).toEqual([...ids].reverse());
  }, 60_000);
});

describe('meaningful-save guard', () => {
  it('skips an empty server and the default start-up session unless forced', async () => {
    const store = newStore();
    const empty = await store.write({ ...sampleDraft(), sessions: [] });
    expect(empty.ok && empty.value).toEqual({ kind: 'skipped', reason: 'the server has no sessions' });
    const startup = await store.write(defaultStartupDraft());
    expect(startup.ok && startup.value.kind).toBe('skipped');
    expect(startup.ok && startup.value.kind === 'skipped' && startup.value.reason).toMatch(/default start-up session "0"/);
    expect(existsSync(store.dir)).toBe(false);

    const good = await mustWrite(store);
    const forced = await store.write(defaultStartupDraft(), { force: true });
    expect(forced.ok && forced.value.kind).toBe('written');
    // A forced start-up save never becomes "the newest good" checkpoint by default.
    const n = await store.newestGood();
    expect(n.ok && n.value.checkpoint?.id).toBe(good.id);
    const all = await store.newestGood(undefined, { includeNotMeaningful: true });
    expect(all.ok && forced.ok && forced.value.kind === 'written' && all.value.checkpoint?.id === forced.value.id).toBe(true);
  });
});

describe('index cache', () => {
  it('lists from the index and rebuilds it when missing, corrupt or stale', async () => {
    const store = newStore();
    const a = await mustWrite(store, sampleDraft({ sessions: ['one'] }));
    const b = await mustWrite(store, sampleDraft({ sessions: ['two', 'three'], panesPerWindow: 3 }));
    const indexFile = join(store.dir, LAYOUT.index);
    const expectList = async () => {
      const l = await store.list();
      if (!l.ok) throw new Error(l.error.message);
      expect(l.value.map((e) => [e.id, e.sessions, e.panes, e.valid])).toEqual([
        [b.id, ['two', 'three'], 6, true],
        [a.id, ['one'], 2, true],
      ]);
      return l.value;
    };
    await expectList();

    writeFileSync(indexFile, '{"version":1,"entries":[{"id":'); // corrupt
    await expectList();
    expect(JSON.parse(readFileSync(indexFile, 'utf8')).entries).toHaveLength(2);

    writeFileSync(indexFile, JSON.stringify({ version: 1, entries: [] })); // stale
    await expectList();

    writeFileSync(indexFile, JSON.stringify({ version: 99, entries: [] })); // unknown version
    await expectList();

    // A file damaged after indexing (size changes) is noticed.
    const path = join(store.dir, LAYOUT.checkpoints, `${a.id}.json`);
    writeFileSync(path, readFileSync(path, 'utf8').slice(0, 100));
    const l = await store.list();
    expect(l.ok && l.value.find((e) => e.id === a.id)?.valid).toBe(false);
  });

  it('stores each blob hash once and lists blob references intact', async () => {
    const store = newStore();
    const put = await store.putBlobs([
      { v: 1, normal: 'shared\n', alternate: null },
      { v: 1, normal: 'other\n', alternate: null },
    ]);
    if (!put.ok) throw new Error(put.error.message);
    const [shared, other] = put.value.map((p) => p.sha256) as [string, string];
    const a = await mustWrite(store, sampleDraft({ sessions: ['a'], blob: shared }));
    const b = await mustWrite(store, sampleDraft({ sessions: ['b'], blob: shared }));
    const c = await mustWrite(store, sampleDraft({ sessions: ['c'], blob: other }));
    const indexFile = join(store.dir, LAYOUT.index);
    const doc = JSON.parse(readFileSync(indexFile, 'utf8')) as { version: number; blobs: string[]; entries: { id: string; blobs: number[] }[] };
    expect(doc.version).toBe(2);
    expect([...doc.blobs].sort()).toEqual([shared, other].sort());
    const l = await store.list();
    if (!l.ok) throw new Error(l.error.message);
    expect(Object.fromEntries(l.value.map((e) => [e.id, e.blobs]))).toEqual({ [a.id]: [shared], [b.id]: [shared], [c.id]: [other] });

    // A position outside the table makes the index unusable: rebuilt from the files.
    writeFileSync(indexFile, JSON.stringify({ ...doc, entries: doc.entries.map((e) => ({ ...e, blobs: [7] })) }));
    const again = await store.list();
    expect(again.ok && again.value.map((e) => e.blobs)).toEqual([[other], [shared], [shared]]);
    expect((JSON.parse(readFileSync(indexFile, 'utf8')) as { entries: { blobs: number[] }[] }).entries.map((e) => e.blobs.length)).toEqual([1, 1, 1]);
  });

  it('remove() deletes the file and the index follows', async () => {
    const store = newStore();
    const a = await mustWrite(store);
    const b = await mustWrite(store);
    expect((await store.remove(a.id)).ok).toBe(true);
    const l = await store.list();
    expect(l.ok && l.value.map((e) => e.id)).toEqual([b.id]);
    const again = await store.remove(a.id);
    expect(!again.ok && again.error.kind).toBe('not-found');
    const bad = await store.remove('../../etc/passwd');
    expect(!bad.ok && bad.error.kind).toBe('bad-id');
  });

  it('read() refuses ids that would leave the store', async () => {
    const store = newStore();
    const r = await store.read('../index');
    expect(!r.ok && r.error.message).toBe('Expected a checkpoint id, got "../index"');
  });
});

describe('prune', () => {
  it('keeps the newest N plus the newest per session, and drops unreferenced old blobs', async () => {
    const store = newStore();
    const old = await store.putBlob({ v: 1, normal: 'old\n', alternate: null });
    const sha = old.ok ? old.value.sha256 : '';
    const lonely = await mustWrite(store, sampleDraft({ sessions: ['lonely'], blob: sha }));
    const rest = [];
    for (let i = 0; i < 6; i++) rest.push(await mustWrite(store, sampleDraft({ sessions: ['main'] })));
    // Pretend it is tomorrow-ish and everything is old enough for blobs to go.
    const orphan = await store.putBlob({ v: 1, normal: 'nobody\n', alternate: null });
    const r = await store.prune({ keepLast: 2, dailyForDays: 0 }, { nowMs: Date.now() + 3_600_000 });
    if (!r.ok) throw new Error(r.error.message);
    const l = await store.list();
    expect(l.ok && l.value.map((e) => e.id)).toEqual([rest[5]?.id, rest[4]?.id, lonely.id]);
    expect(r.value.removed).toHaveLength(4);
    // The lonely session's blob is still referenced; the orphan went.
    expect(r.value.removedBlobs).toEqual([orphan.ok ? orphan.value.sha256 : '']);
    expect((await store.getBlob(sha)).ok).toBe(true);
  });

  it('sweeps temp files left by dead writers', async () => {
    const store = newStore();
    await mustWrite(store);
    const dead = join(store.dir, LAYOUT.checkpoints, `.x.json.${(2 ** 22 + 12345).toString(36)}.0123456789ab.tmp`);
    const live = join(store.dir, LAYOUT.checkpoints, `.y.json.${process.pid.toString(36)}.0123456789ab.tmp`);
    writeFileSync(dead, 'half');
    writeFileSync(live, 'in flight');
    await store.prune({ keepLast: 50, dailyForDays: 7 });
    const names = readdirSync(join(store.dir, LAYOUT.checkpoints));
    expect(names.some((n) => n.startsWith('.x.json'))).toBe(false);
    expect(names.some((n) => n.startsWith('.y.json'))).toBe(true);
  });
});
