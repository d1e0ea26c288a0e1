/**
 * Save → kill-server → restore on a real, isolated tmux server: layout,
 * names, cwds, titles, flags, allowlisted programs and contents come back;
 * a non-allowlisted command is typed, not run; saving changes nothing.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createTestServer, tempDir, waitFor, type TestServer } from '../helpers/tmux-server.js';
import { dumpServer, type DumpPane } from './layout-dump.js';

let server: TestServer;
let work: { path: string; cleanup: () => void };
let stateEnv: NodeJS.ProcessEnv;

const HOSTILE_SESSION = `we;ird $(touch PWNED) 'q"`;
const HOSTILE_WINDOW = `w\t|x  "y'z\\ ü`;
const marker = `contents-marker-${process.pid}`;

function shellsReady(s: TestServer, count: number): boolean {
  const out = s.tmux('list-panes', '-a', '-F', '#{cursor_x}');
  return out.split('\n').filter((l) => l && l !== '0').length >= count;
}

/** Every auto-named window shows its active pane's program (tmux renames on a timer). */
function autoNamesSettled(s: TestServer): boolean {
  const out = s.tmux('list-windows', '-a', '-F', '#{automatic-rename} #{window_name} #{pane_current_command}');
  return out.split('\n').filter(Boolean).every((l) => {
    const [auto, name, cmd] = l.split(' ');
    return auto !== '1' || name === cmd;
  });
}

function paneBy(dump: DumpPane[], session: string, window: string, pane: string): DumpPane {
  const p = dump.find((d) => d.session === session && d.window === window && d.pane === pane);
  if (!p) throw new Error(`Expected pane ${session}:${window}.${pane} in the dump`);
  return p;
}

beforeAll(async () => {
  server = createTestServer();
  work = tempDir('tsession-rt-');
  stateEnv = { TSESSION_STATE_DIR: join(work.path, 'state') };
  const d = (name: string) => {
    const p = join(work.path, name);
    mkdirSync(p, { recursive: true });
    return p;
  };
  const plain = d('plain');
  const hostileDir = d(`d ir;$(touch PWNED)'"\\ü`);
  const logFile = join(plain, `log "q" it's.txt`);
  writeFileSync(logFile, 'first line\n');
  writeFileSync(join(plain, 'notes.txt'), Array.from({ length: 200 }, (_, i) => `note ${i}`).join('\n'));
  const t = (...a: string[]) => server.tmux(...a);
  // alpha: uneven nested splits, manual and auto names, zoom, titles.
  t('new-session', '-d', '-s', 'alpha', '-x', '160', '-y', '48', '-c', plain, '-n', 'editor');
  t('split-window', '-h', '-t', 'alpha:0', '-c', hostileDir);
  t('split-window', '-v', '-t', 'alpha:0.1', '-c', plain);
  t('resize-pane', '-t', 'alpha:0.0', '-x', '50');
  t('select-pane', '-t', 'alpha:0.2', '-T', 'title with #{hash} and spaces');
  t('new-window', '-t', 'alpha:3', '-c', plain);
  t('split-window', '-v', '-t', 'alpha:3', '-c', plain);
  t('resize-pane', '-Z', '-t', 'alpha:3.0');
  t('select-window', '-t', 'alpha:0');
  t('select-pane', '-t', 'alpha:0.1');
  // hostile names and cwds
  t('new-session', '-d', '-s', HOSTILE_SESSION, '-x', '120', '-y', '40', '-c', hostileDir, '-n', HOSTILE_WINDOW);
  t('new-window', '-t', `=${HOSTILE_SESSION}:`, '-c', hostileDir, '-n', 'second');
  t('split-window', '-h', '-t', `=${HOSTILE_SESSION}:1`, '-c', plain);
  t('select-window', '-t', `=${HOSTILE_SESSION}:0`);
  // programs
  t('new-session', '-d', '-s', 'progs', '-x', '120', '-y', '40', '-c', plain, '-n', 'follow');
  t('split-window', '-h', '-t', 'progs:0', '-c', plain);
  t('new-window', '-t', 'progs:1', '-c', plain);
  t('split-window', '-h', '-t', 'progs:1', '-c', plain);
  await waitFor(() => shellsReady(server, 12), 20_000, 'shells to start');
  const keys = (target: string, text: string) => {
    t('send-keys', '-t', target, '-l', text);
    t('send-keys', '-t', target, 'Enter');
  };
  keys('progs:0.0', `echo ${marker}; tail -f 'log "q" it'"'"'s.txt'`);
  keys('progs:0.1', 'sleep 98765');
  keys('progs:1.0', 'less notes.txt');
  keys('progs:1.1', 'vim -n notes.txt');
  keys('alpha:3.0', `echo ${marker}-alpha`);
  await waitFor(() => {
    const fg = dumpServer(server).map((p) => p.foreground?.[0] ?? '');
    return ['tail', 'sleep', 'less', 'vim'].every((c) => fg.includes(c));
  }, 20_000, 'programs to run');
  // Window names of auto-renamed windows follow their program; let them settle.
  await waitFor(() => autoNamesSettled(server), 10_000, 'auto names');
}, 90_000);

afterAll(() => {
  server?.kill();
  work?.cleanup();
});

describe('save and restore round trip', () => {
  it('saving five times leaves the server unchanged', async () => {
    const before = dumpServer(server);
    for (let i = 0; i < 5; i++) {
      const r = await runCli(server, ['save'], stateEnv);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    expect(dumpServer(server)).toEqual(before);
  }, 60_000);

  it('restores layout, names, cwds, titles, flags and allowlisted programs exactly', async () => {
    const save = await runCli(server, ['save', '--json'], stateEnv);
    expect(save.code).toBe(0);
    const saved = JSON.parse(save.stdout) as { id: string; panes: number; sessions: number };
    expect(saved.sessions).toBe(3);
    expect(saved.panes).toBe(12);
    const before = dumpServer(server);
    server.tmux('kill-server');
    await waitFor(() => server.tmuxTry('ls').status !== 0, 5_000, 'server to end');

    const r = await runCli(server, ['restore'], stateEnv);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('restored alpha');
    expect(r.stdout).toMatch(/will type \(press Enter to run\) in progs:0\.1: sleep 98765$/m);

    // Allowlisted programs start once their shells are up: poll until equal.
    let after: DumpPane[] = [];
    await waitFor(() => {
      after = dumpServer(server);
      return autoNamesSettled(server) && JSON.stringify(normalize(after)) === JSON.stringify(normalize(before));
    }, 20_000, 'restored layout to equal the saved one').catch(() => undefined);
    expect(normalize(after)).toEqual(normalize(before));

    // The non-allowlisted command sits typed at the prompt, not running.
    const sleeper = paneBy(after, 'progs', '0', '1');
    expect(sleeper.foreground).toBeNull();
    // Typed by the restore's typist once the shell is at its prompt.
    await waitFor(() => /sleep 98765$/.test(server.tmux('capture-pane', '-p', '-t', 'progs:0.1').trimEnd().split('\n').at(-1) ?? ''), 20_000, 'sleep 98765 typed at the prompt');
    // Contents were shown before the prompt (the gate execs the shell after
    // them), and nothing was written for them: no runtime files, no gate left.
    const shown = server.tmux('capture-pane', '-p', '-S', '-50', '-t', 'alpha:3.0').trimEnd().split('\n');
    const markerLine = shown.findIndex((l) => l.includes(`${marker}-alpha`) && !l.includes('echo'));
    expect(markerLine).toBeGreaterThanOrEqual(0);
    expect(shown.at(-1)).toMatch(/[$#] ?$/); // the prompt comes last
    expect(markerLine).toBeLessThan(shown.length - 1);
    const runtime = join(server.home, 'run');
    expect(execFileSync('find', [runtime, '-type', 'f'], { encoding: 'utf8' })).toBe('');
    expect(server.tmux('list-panes', '-a', '-F', '#{pane_current_command}').split('\n')).not.toContain('sh');
    // Nothing in a name or path was executed: no PWNED file anywhere we ran.
    const found = execFileSync('find', [work.path, server.home, process.cwd(), '-maxdepth', '4', '-name', 'PWNED'], { encoding: 'utf8' });
    expect(found).toBe('');
  }, 90_000);
});

/** The dump minus what cannot match across servers: the sleeper's foreground (typed, not run). */
function normalize(d: DumpPane[]): DumpPane[] {
  return d.map((p) => (p.session === 'progs' && p.window === '0' && p.pane === '1' ? { ...p, foreground: null } : p));
}
