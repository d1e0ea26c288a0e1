/**
 * The chaos suite's seeded randomness: mulberry32, a small PRNG whose whole
 * state is one 32-bit number, so a printed seed replays a run exactly
 * (`TSESSION_CHAOS_SEED=<seed>`). Not for anything secret.
 */

/** A seeded source of numbers in [0, 1) and the helpers the rounds draw with. */
export interface Rng {
  readonly seed: number;
  next(): number;
  /** A whole number in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  shuffle<T>(items: readonly T[]): T[];
}

/** mulberry32 from `seed`. */
export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    seed,
    next,
    int,
    pick: (items) => {
      if (items.length === 0) throw new Error('Expected something to pick from, got an empty list');
      return items[int(0, items.length - 1)]!;
    },
    shuffle: (items) => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(0, i);
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
  };
}

/** The seed to use: `TSESSION_CHAOS_SEED` when set (a whole number), else a fresh one. */
export function chaosSeed(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.TSESSION_CHAOS_SEED;
  if (given === undefined || given === '') return Math.floor(Math.random() * 2 ** 32);
  if (!/^\d+$/.test(given) || Number(given) >= 2 ** 32) throw new Error(`TSESSION_CHAOS_SEED: expected a whole number below 2^32, got ${JSON.stringify(given)}`);
  return Number(given);
}
