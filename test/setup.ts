/**
 * Runs before every test file (vitest.config.ts `setupFiles`). Pins the
 * terminal the tests see, so a developer's TERM, COLORTERM, FORCE_COLOR or
 * NO_COLOR cannot change colour levels or frames (chalk decides its level
 * from these at import; child processes inherit them), and fails a test
 * during which the process emitted a warning: a warning here is a bug
 * (a leaked listener, a deprecated call), not noise.
 */
import { afterAll, afterEach } from 'vitest';

/** The terminal every test runs in: a common modern xterm, colour on at its basic level at least. */
export const PINNED_TERMINAL = { TERM: 'xterm-256color', COLORTERM: 'truecolor', FORCE_COLOR: '1' } as const;

Object.assign(process.env, PINNED_TERMINAL);
delete process.env.NO_COLOR;

// One listener per process, however many files this process runs.
const KEY = Symbol.for('tsession.test.warnings');
const store = globalThis as typeof globalThis & { [KEY]?: Error[] };
if (!store[KEY]) {
  const seen: Error[] = [];
  store[KEY] = seen;
  process.on('warning', (w) => seen.push(w));
}
const warnings = store[KEY];

/**
 * Throw (failing the test or the file) when warnings were emitted since the
 * last check. process.emitWarning emits on the next tick, which comes after
 * the promise jobs the runner chains from a test into its hooks: wait one
 * turn of the event loop first, or a warning of the test's last line is missed.
 */
async function failOnWarnings(when: string): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  const got = warnings.splice(0);
  if (got.length === 0) return;
  const list = got.map((w) => `${w.name}: ${w.message}${w.stack ? `\n${w.stack.split('\n').slice(1, 4).join('\n')}` : ''}`);
  throw new Error(`Expected no process warning ${when}, got ${got.length}:\n${list.join('\n')}`);
}

afterEach(() => failOnWarnings('during this test'));
afterAll(() => failOnWarnings('after the last test of this file'));
