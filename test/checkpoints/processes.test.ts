/**
 * Several real processes against one store: 10 writers started at once, and
 * a writer killed with SIGKILL at random instants. Children run transpiled
 * copies of checkpoints/ (see support/build-children.ts).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATOMIC_WRITE_STEPS, isTempName } from '../../checkpoints/atomic-write.js';
import { LAYOUT } from '../../checkpoints/paths.js';
import { createCheckpointStore } from '../../checkpoints/store.js';
import { PROC_IDENTITY } from '../../sessions/proc/liveness.js';
import { tempDir } from '../helpers/tmux-server.js';
import { buildChildren } from './support/build-children.js';
import { SAMPLE_HOME } from './support/sample-body.js';

let tree: { path: string; cleanup: () => void };
let support: string;
beforeAll(() => {
  tree = tempDir('tsession-children-');
  support = buildChildren(tree.path);
});
afterAll(() => tree.cleanup());

function spawnChild(script: string, dir: string, ...args: string[]): { child: ChildProcess; stdout: () => string; exited: Promise<number | null> } {
  const child = fork(join(support, script), [dir, ...args], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let out = '';
  let errText = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (errText += b.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      if (code) console.error(errText);
      resolve(code);
    }),
  );
  return { child, stdout: () => out, exited };
}

/** Seeded PRNG (mulberry32) so a failing crash schedule can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('concurrency', () => {
  it('10 writers started at once → 10 valid checkpoints and a consistent index', async () => {
    const t = tempDir('tsession-conc-');
    try {
      const dir = join(t.path, 'server');
      const runs = Array.from({ length: 10 }, () => spawnChild('write-one.js', dir));
      expect(await Promise.all(runs.map((r) => r.exited))).toEqual(Array(10).fill(0));
      const reported = runs.map((r) => JSON.parse(r.stdout()) as { ok: boolean; id: string });
      expect(reported.every((r) => r.ok)).toBe(true);
      const ids = reported.map((r) => r.id).sort();
      expect(new Set(ids).size).toBe(10);

      const names = readdirSync(join(dir, LAYOUT.checkpoints));
      expect(names.filter((n) => !isTempName(n)).sort()).toEqual(ids.map((id) => `${id}.json`));
      expect(names.filter(isTempName)).toEqual([]);
      expect(readdirSync(join(dir, LAYOUT.blobs))).toHaveLength(1); // one shared blob, written once or harmlessly twice

      // The index on disk parses and lists only real, valid checkpoints.
      const onDisk = JSON.parse(readFileSync(join(dir, LAYOUT.index), 'utf8')) as { entries: { id: string; valid: boolean }[] };
      for (const e of onDisk.entries) {
        expect(ids).toContain(e.id);
        expect(e.valid).toBe(true);
      }
      const store = createCheckpointStore({ dir, homeDir: SAMPLE_HOME, identity: PROC_IDENTITY });
      const listed = await store.list();
      expect(listed.ok && listed.value.map((e) => e.id).sort()).toEqual(ids);
      expect(listed.ok && listed.value.every((e) => e.valid)).toBe(true);
      for (const id of ids) expect((await store.read(id)).ok).toBe(true);
    } finally {
      t.cleanup();
    }
  });
});

describe('crash consistency', () => {
  it.each(ATOMIC_WRITE_STEPS)('SIGKILL right after step %s → the previous or the new checkpoint, whole', async (step) => {
    const t = tempDir('tsession-step-');
    try {
      const dir = join(t.path, 'server');
      const run = spawnChild('write-at-step.js', dir, step);
      await run.exited;
      expect(run.child.signalCode).toBe('SIGKILL');
      const firstId = run.stdout().trim();
      const store = createCheckpointStore({ dir, homeDir: SAMPLE_HOME, identity: PROC_IDENTITY });
      const n = await store.newestGood();
      if (!n.ok) throw new Error(n.error.message);
      expect(n.value.warnings).toEqual([]);
      const renamed = ATOMIC_WRITE_STEPS.indexOf(step) >= ATOMIC_WRITE_STEPS.indexOf('rename');
      const sessions = n.value.checkpoint?.body.sessions.map((s) => s.name);
      expect(sessions).toEqual([renamed ? 'second' : 'first']);
      if (!renamed) expect(n.value.checkpoint?.id).toBe(firstId);
      // A temp file may remain before the rename; it is never listed, and prune sweeps it.
      const listed = await store.list();
      expect(listed.ok && listed.value.length).toBe(renamed ? 2 : 1);
      await store.prune({ keepLast: 50, dailyForDays: 7 });
      expect(readdirSync(join(dir, LAYOUT.checkpoints)).filter(isTempName)).toEqual([]);
    } finally {
      t.cleanup();
    }
  });

  const KILLS = 50;
  const SEED = Number(process.env.TSESSION_CRASH_SEED ?? 0x5eed);

  it(`a writer killed with SIGKILL at ${KILLS} random instants never leaves a bad newest checkpoint`, async () => {
    const random = prng(SEED);
    const t = tempDir('tsession-crash-');
    const dir = join(t.path, 'server');
    const store = createCheckpointStore({ dir, homeDir: SAMPLE_HOME, identity: PROC_IDENTITY });
    const started = Date.now();
    let lastGood: string | null = null;
    try {
      for (let kill = 0; kill < KILLS; kill++) {
        const run = spawnChild('write-loop.js', dir);
        // Wait for the first save, then let it run a random while (up to ~40 ms).
        await new Promise<void>((resolve, reject) => {
          const timer = setInterval(() => {
            if (run.stdout().includes('ready')) {
              clearInterval(timer);
              resolve();
            }
          }, 2);
          void run.exited.then((code) => {
            clearInterval(timer);
            reject(new Error(`Expected the writer to keep running, got exit ${code}`));
          });
        });
        await new Promise((r) => setTimeout(r, Math.floor(random() * 40)));
        run.child.kill('SIGKILL');
        await run.exited;
        const context = `after kill ${kill} (seed ${SEED})`;

        // The newest checkpoint on disk is good: nothing half-written is ever named <id>.json.
        const n = await store.newestGood();
        if (!n.ok) throw new Error(`${context}: ${n.error.message}`);
        expect(n.value.warnings, context).toEqual([]);
        expect(n.value.checkpoint, context).not.toBeNull();
        const newest = n.value.checkpoint?.id ?? '';
        if (lastGood) expect(newest >= lastGood, context).toBe(true);
        lastGood = newest;
        for (const pane of n.value.checkpoint?.body.sessions.flatMap((s) => s.windows.flatMap((w) => w.panes)) ?? []) {
          if (pane.contents) expect((await store.getBlob(pane.contents.blob)).ok, context).toBe(true);
        }

        // Every checkpoint file is valid, and the index agrees with the files (rebuilding if needed).
        const files = readdirSync(join(dir, LAYOUT.checkpoints)).filter((f) => !isTempName(f)).sort();
        const listed = await store.list();
        if (!listed.ok) throw new Error(`${context}: ${listed.error.message}`);
        expect(listed.value.map((e) => `${e.id}.json`).sort(), context).toEqual(files);
        expect(listed.value.filter((e) => !e.valid).map((e) => e.error), context).toEqual([]);

        // Every few rounds, throw the index away or corrupt it: it must rebuild.
        if (kill % 10 === 9) rmSync(join(dir, LAYOUT.index), { force: true });
        if (kill % 10 === 4) writeFileSync(join(dir, LAYOUT.index), '{"version":1,"entries":[{"id":"x"');
      }
      // Leftover temp files of dead writers are swept by the next prune.
      const pruned = await store.prune({ keepLast: 5, dailyForDays: 1 });
      expect(pruned.ok).toBe(true);
      for (const sub of ['', LAYOUT.checkpoints, LAYOUT.blobs]) {
        expect(readdirSync(join(dir, sub)).filter(isTempName)).toEqual([]);
      }
      // Budget is < 30 s; printed rather than asserted so a loaded CI box is not a failure.
      console.log(`crash test: ${KILLS} kills in ${Date.now() - started} ms (seed ${SEED})`);
    } finally {
      t.cleanup();
    }
  }, 60_000);
});
