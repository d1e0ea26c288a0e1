import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WATCH_CONFIG,
  DEFAULT_ALLOWLIST,
  DEFAULT_CONFIG,
  loadConfig,
  parseConfig,
  toAllowRules,
} from '../../src/ops/config.js';
import { UserError } from '../../src/user-error.js';
import { tempDir } from '../helpers/tmux-server.js';
import { cleanupAfterEach } from '../helpers/teardown.js';

const afterTest = cleanupAfterEach();

/** A fake home with `.config/tsession/config.json` holding `text` (or nothing). */
function home(text?: string): { homeDir: string; file: string } {
  const t = tempDir('tsession-config-');
  afterTest(t.cleanup);
  const dir = join(t.path, '.config', 'tsession');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'config.json');
  if (text !== undefined) writeFileSync(file, text);
  return { homeDir: t.path, file };
}

async function errorOf(value: unknown): Promise<string> {
  const h = home(JSON.stringify(value));
  const e = await loadConfig(h).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(UserError);
  return (e as Error).message;
}

const LABEL = '~/.config/tsession/config.json';

describe('defaults', () => {
  it('a missing file means defaults', async () => {
    expect(await loadConfig(home())).toEqual(DEFAULT_CONFIG);
  });

  it('an empty file means defaults', async () => {
    expect(await loadConfig(home('  \n'))).toEqual(DEFAULT_CONFIG);
  });

  it('has the documented values', () => {
    expect(DEFAULT_CONFIG.contents.lines).toBe(2000);
    expect(DEFAULT_CONFIG.retention).toEqual({ keepLast: 50, dailyForDays: 7 });
    const programs = DEFAULT_CONFIG.rerun.allowlist.map((r) => r.program);
    expect(programs).toEqual([
      'vim', 'nvim', 'vi', 'nano', 'emacs', 'hx', 'micro', 'less', 'more', 'most', 'man',
      'top', 'htop', 'btop', 'tail', 'watch', 'ssh', 'journalctl',
    ]);
    expect(DEFAULT_CONFIG.rerun.allowlist.find((r) => r.program === 'tail')?.whenAnyArg).toEqual(['-f', '-F', '--follow']);
    expect(DEFAULT_CONFIG.rerun.allowlist.find((r) => r.program === 'journalctl')?.whenAnyArg).toEqual(['-f', '--follow']);
    expect(DEFAULT_CONFIG.rerun.allowlist.find((r) => r.program === 'vim')?.whenAnyArg).toBeNull();
    expect(toAllowRules(DEFAULT_ALLOWLIST)).toEqual(DEFAULT_CONFIG.rerun.allowlist);
  });
});

describe('a valid file', () => {
  it('overrides what it names and keeps defaults for the rest', async () => {
    const cfg = await loadConfig(
      home(
        JSON.stringify({
          rerun: { allowlist: ['vim', { program: 'tail', whenAnyArg: ['-f'] }] },
          contents: { lines: 0 },
          retention: { keepLast: 3 },
          pty: { detachKey: 'ctrl-a', shellIntegration: false },
        }),
      ),
    );
    expect(cfg).toEqual({
      rerun: { allowlist: [{ program: 'vim', whenAnyArg: null }, { program: 'tail', whenAnyArg: ['-f'] }] },
      contents: { lines: 0 },
      retention: { keepLast: 3, dailyForDays: 7 },
      watch: DEFAULT_WATCH_CONFIG,
      pty: { detachKey: 'ctrl-a', shellIntegration: false, scrollback: 5_000 },
    });
  });

  it('the watch section: auto-unfreeze for all or some sessions, its wait in seconds, the breaker\'s restores', () => {
    expect(parseConfig({ watch: { autoUnfreeze: ['api', 'db'], autoUnfreezeAfter: 1.5, maxRestores: 50 } }, 'x').watch).toEqual({
      autoUnfreeze: ['api', 'db'],
      autoUnfreezeAfterMs: 1_500,
      maxRestores: 50,
    });
    expect(parseConfig({ watch: { autoUnfreeze: true } }, 'x').watch).toEqual({ ...DEFAULT_WATCH_CONFIG, autoUnfreeze: true });
  });

  it('an empty object is all defaults', () => {
    expect(parseConfig({}, 'x')).toEqual(DEFAULT_CONFIG);
  });
});

describe('bad values name the file, the key, what was expected and what was found', () => {
  it.each([
    [{ contents: { lines: 'lots' } }, 'contents.lines: expected a whole number ≥ 0, got "lots"'],
    [{ contents: { lines: -1 } }, 'contents.lines: expected a whole number ≥ 0, got -1'],
    [{ contents: { lines: 2.5 } }, 'contents.lines: expected a whole number ≥ 0, got 2.5'],
    [{ retention: { keepLast: 0 } }, 'retention.keepLast: expected a whole number ≥ 1, got 0'],
    [{ retention: { dailyForDays: null } }, 'retention.dailyForDays: expected a whole number ≥ 0, got null'],
    [{ retention: 7 }, 'retention: expected an object, got 7'],
    [{ rerun: { allowlist: 'vim' } }, 'rerun.allowlist: expected a list of program names or rules, got "vim"'],
    [
      { rerun: { allowlist: ['vim', '/usr/bin/vim'] } },
      'rerun.allowlist[1]: expected a program name without "/" or spaces (it is matched on the basename), got "/usr/bin/vim"',
    ],
    [
      { rerun: { allowlist: [42] } },
      'rerun.allowlist[0]: expected a program name, or {"program": name, "whenAnyArg": [flags]}, got 42',
    ],
    [
      { rerun: { allowlist: [{ program: 'tail', whenAnyArg: [] }] } },
      'rerun.allowlist[0].whenAnyArg: expected at least one flag, got []',
    ],
    [
      { rerun: { allowlist: [{ program: 'tail', whenAnyArg: ['follow'] }] } },
      'rerun.allowlist[0].whenAnyArg[0]: expected a flag like "-f" or "--follow", got "follow"',
    ],
    [
      { rerun: { allowlist: [{ program: 'tail', whenAnyArg: ['-f'], when: 'always' }] } },
      'rerun.allowlist[0].when: expected one of program, whenAnyArg, got an unknown setting',
    ],
    [
      { rerun: { allowlist: [{ program: 'bin/tail', whenAnyArg: ['-f'] }] } },
      'rerun.allowlist[0].program: expected a program name without "/" or spaces (it is matched on the basename), got "bin/tail"',
    ],
    [{ contents: { lines: 2 ** 60 } }, `contents.lines: expected a whole number ≥ 0, got ${2 ** 60}`],
    [{ retention: { keeplast: 5 } }, 'retention.keeplast: expected one of keepLast, dailyForDays, got an unknown setting'],
    [{ colour: true }, 'colour: expected one of rerun, contents, retention, watch, pty, got an unknown setting'],
    [{ watch: { autoUnfreeze: 'yes' } }, 'watch.autoUnfreeze: expected true, false, or a list of session names, got "yes"'],
    [{ watch: { autoUnfreezeAfter: -1 } }, 'watch.autoUnfreezeAfter: expected seconds (a number from 0 to 86400), got -1'],
    [{ watch: { maxRestores: 0 } }, 'watch.maxRestores: expected a whole number ≥ 1, got 0'],
    [{ pty: { detachKey: 'x' } }, 'pty.detachKey: expected a control key like "ctrl-\\\\" or "ctrl-a", got "x"'],
    [[1, 2], 'expected a JSON object, got [1,2]'],
  ])('%j', async (value, message) => {
    expect(await errorOf(value)).toBe(`${LABEL}: ${message}`);
  });

  it('invalid JSON', async () => {
    const e = await loadConfig(home('{"contents": {"lines": 5,}}')).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UserError);
    expect((e as Error).message).toMatch(new RegExp(`^${LABEL.replace(/[.]/g, '\\.')}: expected valid JSON, got `));
  });

  it('an unreadable file (a directory where the file should be)', async () => {
    const h = home();
    mkdirSync(h.file);
    await expect(loadConfig(h)).rejects.toThrow(`${LABEL}: expected a readable config file, got EISDIR`);
  });

  it('shows the full path when the file is not under the home dir', async () => {
    const h = home('{"contents":{"lines":"x"}}');
    await expect(loadConfig({ file: h.file })).rejects.toThrow(`${h.file}: contents.lines: expected a whole number ≥ 0, got "x"`);
  });
});
