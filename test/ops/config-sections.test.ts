/**
 * Defect 4 of issue 11, the config half: a use case falls back to defaults
 * for a bad section it does not need (with one warning line) and refuses
 * only for one it needs; the daemon's ConfigKeeper refuses a bad file at
 * start, and keeps the last good settings when the file goes bad later,
 * telling each change once.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, ConfigKeeper, configFor, DEFAULT_CONFIG, loadConfig, type ConfigChange } from '../../src/ops/config.js';
import { UserError } from '../../src/user-error.js';
import { tempDir } from '../helpers/tmux-server.js';
import { cleanupAfterEach } from '../helpers/teardown.js';

const afterTest = cleanupAfterEach();
const LABEL = '~/.config/tsession/config.json';

function home(value?: unknown): { homeDir: string; file: string; write(v: unknown): void } {
  const t = tempDir('tsession-config-');
  afterTest(t.cleanup);
  const dir = join(t.path, '.config', 'tsession');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'config.json');
  const write = (v: unknown) => writeFileSync(file, typeof v === 'string' ? v : JSON.stringify(v));
  if (value !== undefined) write(value);
  return { homeDir: t.path, file, write };
}

/** A context whose config() is the file's, as createContext's is. */
const ctxOf = (h: { homeDir: string; file: string }) => ({ config: () => loadConfig(h) });

describe('configFor', () => {
  it('a valid file: its settings, no warning', async () => {
    const h = home({ retention: { keepLast: 3 } });
    expect(await configFor(ctxOf(h), ['rerun'])).toEqual({ config: { ...DEFAULT_CONFIG, retention: { keepLast: 3, dailyForDays: 7 } }, warning: null });
  });

  it('a bad section the use case does not need: defaults for it, the rest of the file, one warning line', async () => {
    const h = home({ rerun: { allowlist: ['vim'] }, retention: { keepLast: 0 } });
    const r = await configFor(ctxOf(h), ['rerun']);
    expect(r.config).toEqual({ ...DEFAULT_CONFIG, rerun: { allowlist: [{ program: 'vim', whenAnyArg: null }] } });
    expect(r.warning).toBe(
      `${LABEL}: retention.keepLast: expected a whole number ≥ 1, got 0; going on with the defaults for retention, which this does not need`,
    );
    expect(r.warning).not.toContain('\n');
  });

  it('an unknown top-level key and two bad sections: one line naming the first and counting the rest', async () => {
    const h = home({ colour: true, contents: { lines: -1 }, retention: 7 });
    const r = await configFor(ctxOf(h), ['rerun']);
    expect(r.config).toEqual(DEFAULT_CONFIG);
    expect(r.warning).toBe(
      `${LABEL}: colour: expected one of rerun, contents, retention, watch, pty, got an unknown setting (and 2 more); going on with the defaults for unknown keys, contents, retention, which this does not need`,
    );
  });

  it('a bad section the use case needs: refused with that section\'s message', async () => {
    const h = home({ retention: { keepLast: 0 }, rerun: { allowlist: 'vim' } });
    const e = await configFor(ctxOf(h), ['rerun']).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConfigError);
    expect(e).toBeInstanceOf(UserError);
    expect((e as Error).message).toBe(`${LABEL}: rerun.allowlist: expected a list of program names or rules, got "vim"`);
  });

  it('a file that is not JSON: nothing in it is known, so it is refused', async () => {
    const h = home('{"retention": {"keepLast": 0,}}');
    await expect(configFor(ctxOf(h), ['rerun'])).rejects.toThrow(/expected valid JSON/);
  });

  it('the strict load still refuses any problem (what --watch does at start)', async () => {
    const h = home({ retention: { keepLast: 0 } });
    await expect(loadConfig(h)).rejects.toThrow(`${LABEL}: retention.keepLast: expected a whole number ≥ 1, got 0`);
  });
});

describe('ConfigKeeper', () => {
  it('refuses to start on a bad file', async () => {
    const h = home({ retention: { keepLast: 0 } });
    await expect(ConfigKeeper.start(h, () => {})).rejects.toBeInstanceOf(ConfigError);
  });

  it('follows a file that changes, keeps the last good settings while it is bad, and tells each change once', async () => {
    const h = home({ contents: { lines: 10 } });
    const changes: ConfigChange[] = [];
    const keeper = await ConfigKeeper.start(h, (c) => changes.push(c));
    expect((await keeper.current()).contents.lines).toBe(10);
    expect(changes).toEqual([]);

    h.write({ contents: { lines: 20 } });
    expect((await keeper.current()).contents.lines).toBe(20);
    expect(changes).toEqual([{ kind: 'reloaded' }]);

    h.write({ contents: { lines: 'many' } });
    expect((await keeper.current()).contents.lines).toBe(20);
    expect((await keeper.current()).contents.lines).toBe(20);
    // Saved again with the same mistake (a new mtime): not told twice.
    h.write({ contents: { lines: 'many' }, retention: {} });
    expect((await keeper.current()).contents.lines).toBe(20);
    expect(changes).toEqual([{ kind: 'reloaded' }, { kind: 'invalid', message: `${LABEL}: contents.lines: expected a whole number ≥ 0, got "many"` }]);

    h.write({ contents: { lines: 30 } });
    expect((await keeper.current()).contents.lines).toBe(30);
    expect(changes.at(-1)).toEqual({ kind: 'reloaded' });
  });
});
