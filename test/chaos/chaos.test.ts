/**
 * Chaos (issue 11): real isolated tmux servers and the real daemon, seeded
 * rounds of faults — kill -9 of the server, SIGSTOP/SIGCONT, a change then
 * a crash 1.5 s later, kill -9 of the daemon (restarted, as systemd would)
 * then a crash, a corrupt newest checkpoint, two crashes in quick
 * succession, a read-only state dir for a while, SIGTERM of the daemon.
 * After every round: every session, window, pane, cwd and re-run program
 * is what the user had; no daemon died that we did not kill; no stack
 * trace on any daemon's stderr; each fault journaled.
 *
 * CI size: TSESSION_CHAOS_ROUNDS (default 12: every kind once, in a seeded
 * order, then seeded picks). `npm run chaos` runs hundreds. The seed is
 * printed; TSESSION_CHAOS_SEED replays a run.
 */
import { describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../helpers/teardown.js';
import { chaosSeed, createRng } from './prng.js';
import { ROUND_KINDS, runRound, type RoundKind } from './rounds.js';
import { ChaosWorld } from './world.js';

const afterTest = cleanupAfterEach();
const ROUNDS = Number(process.env.TSESSION_CHAOS_ROUNDS ?? 12);
/** A round's budget: a crash, a restore under load and the re-runs. */
const ROUND_MS = 90_000;

describe('chaos', () => {
  it(`${ROUNDS} seeded rounds of faults leave the user's sessions as they were`, async () => {
    const seed = chaosSeed();
    const rng = createRng(seed);
    console.log(`chaos: seed ${seed} (TSESSION_CHAOS_SEED=${seed} replays it), ${ROUNDS} rounds`);
    const plan: RoundKind[] = [...rng.shuffle(ROUND_KINDS)].slice(0, ROUNDS);
    while (plan.length < ROUNDS) plan.push(rng.pick(ROUND_KINDS));
    const w = await ChaosWorld.create(afterTest);
    const tally = new Map<RoundKind, number>();
    for (const [i, kind] of plan.entries()) {
      const t0 = performance.now();
      try {
        await w.settled(`before round ${i + 1}`);
        const note = await runRound(w, kind, rng);
        await w.settled(`after round ${i + 1} (${kind})`);
        expect(w.daemonTrouble()).toEqual([]);
        tally.set(kind, (tally.get(kind) ?? 0) + 1);
        console.log(`chaos round ${i + 1}/${ROUNDS} ${kind}: ${note} (${Math.round(performance.now() - t0)} ms)`);
      } catch (e) {
        throw new Error(`chaos seed ${seed}, round ${i + 1}/${ROUNDS} (${kind}) failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
    }
    console.log(`chaos: ${ROUNDS} rounds passed, seed ${seed}: ${[...tally].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  }, ROUNDS * ROUND_MS + 60_000);
});
