/**
 * The integration scripts in real bash, zsh and fish under node-pty, each in
 * an isolated HOME/ZDOTDIR/XDG tree with no user rc files. Bytes go through
 * the real marker parser (with the nonce read via nonce-store) into a
 * PaneTracker; assertions are on events and pane state.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pty from 'node-pty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MarkerEvent } from '../../../parsers/events.js';
import { createMarkerParser } from '../../../parsers/marker-parser.js';
import { readPaneNonce } from '../../../sessions/shell-integration/nonce-store.js';
import { feedPane, PaneTracker } from '../../../sessions/shell-integration/pane-tracker.js';
import { shellScriptPath } from '../../../src/cli/commands/shell-integration.js';
import { tempDir, waitFor } from '../../helpers/tmux-server.js';

type Shell = 'bash' | 'zsh' | 'fish';
const SHELLS: readonly Shell[] = ['bash', 'zsh', 'fish'];

function hasBinary(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

// A directory name with spaces, unicode, ';' and a tab (a control byte the
// scripts must escape as \x09).
const ODD_DIR = 'dir with space ü ;semi\ttab';
const FORGED_NONCE = '00112233445566778899aabbccddeeff';
const FORGED = `\x1b]633;E;rm -rf ~;${FORGED_NONCE}\x07`;

/** What each shell's rc does besides sourcing the script: user hooks that must survive. */
const USER_RC: Record<Shell, (script: string) => string> = {
  bash: (script) => `
PS1='[$?] \\$ '
PROMPT_COMMAND='__user_pc_status=$?; __user_pc_runs=$((__user_pc_runs + 1))'
PS0='[user-ps0]'
trap '__user_debug=$(( \${__user_debug:-0} + 1 ))' DEBUG
HISTCONTROL=ignorespace
source '${script}'
source '${script}'
`,
  zsh: (script) => `
PS1='[%?] %# '
setopt hist_ignore_space
autoload -Uz add-zsh-hook
__user_precmd() { __user_pc_status=$?; (( __user_pc_runs++ )) }
__user_preexec() { __user_preexec_line=$1 }
add-zsh-hook precmd __user_precmd
add-zsh-hook preexec __user_preexec
source '${script}'
source '${script}'
`,
  fish: (script) => `
function fish_prompt
    set -g __user_pc_status $status
    printf '[%s] > ' $__user_pc_status
end
function __user_preexec --on-event fish_preexec
    set -g __user_preexec_line $argv[1]
end
source '${script}'
source '${script}'
`,
};

/** Expected two-line for loop text per shell: bash keeps history's one-line form. */
const FOR_LOOP: Record<Shell, { typed: string; reported: string }> = {
  bash: { typed: 'for i in 1 2\rdo echo "n$i"; done\r', reported: 'for i in 1 2; do echo "n$i"; done' },
  zsh: { typed: 'for i in 1 2\rdo echo "n$i"; done\r', reported: 'for i in 1 2\ndo echo "n$i"; done' },
  fish: { typed: 'for i in 1 2\recho "n$i"; end\r', reported: 'for i in 1 2\necho "n$i"; end' },
};

interface Sandbox {
  readonly root: string;
  readonly env: Record<string, string>;
  readonly oddDir: string;
  readonly hostile: string;
  cleanup(): void;
}

function makeSandbox(shell: Shell): Sandbox {
  const tmp = tempDir(`tsession-si-${shell}-`);
  const root = realpathSync(tmp.path);
  const dirs = ['home', 'zdot', 'config', 'data', 'cache', 'run', 'work'];
  for (const d of dirs) mkdirSync(join(root, d), { mode: 0o700 });
  const oddDir = join(root, 'work', ODD_DIR);
  mkdirSync(oddDir);
  const hostile = join(root, 'work', 'hostile.txt');
  writeFileSync(hostile, `harmless text\n${FORGED}more text\n`);
  const script = shellScriptPath(shell);
  const rc = USER_RC[shell](script);
  if (shell === 'bash') writeFileSync(join(root, 'bashrc'), rc);
  if (shell === 'zsh') writeFileSync(join(root, 'zdot', '.zshrc'), rc);
  if (shell === 'fish') writeFileSync(join(root, 'rc.fish'), rc);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: join(root, 'home'),
    ZDOTDIR: join(root, 'zdot'),
    XDG_CONFIG_HOME: join(root, 'config'),
    XDG_DATA_HOME: join(root, 'data'),
    XDG_CACHE_HOME: join(root, 'cache'),
    XDG_RUNTIME_DIR: join(root, 'run'),
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    USER: process.env.USER ?? 'tester',
    TSESSION_TEST_DIR: oddDir,
    TSESSION_TEST_HOSTILE: hostile,
  };
  return { root, env, oddDir, hostile, cleanup: tmp.cleanup };
}

function shellArgv(shell: Shell, sandbox: Sandbox): [string, string[]] {
  switch (shell) {
    case 'bash':
      return ['bash', ['--noprofile', '--rcfile', join(sandbox.root, 'bashrc'), '-i']];
    case 'zsh':
      // -d: no /etc/zsh rc files; $ZDOTDIR/.zshrc is the only rc.
      return ['zsh', ['-d', '-i']];
    case 'fish':
      return ['fish', ['--no-config', '-i', '-C', `source ${join(sandbox.root, 'rc.fish')}`]];
  }
}

/** A shell under node-pty whose output feeds a parser and tracker once its nonce is known. */
class ShellUnderTest {
  readonly raw: Buffer[] = [];
  readonly events: MarkerEvent[] = [];
  readonly tracker = new PaneTracker();
  nonce: string | undefined;
  private parser: ReturnType<typeof createMarkerParser> | undefined;
  private exited = false;

  constructor(
    readonly shell: Shell,
    readonly proc: pty.IPty,
  ) {
    // encoding: null below: node-pty hands over the raw bytes (typed as string).
    proc.onData((data: string | Buffer) => {
      const chunk = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      this.raw.push(chunk);
      if (this.parser) this.feed(chunk);
    });
    proc.onExit(() => {
      this.exited = true;
    });
  }

  static async start(shell: Shell, sandbox: Sandbox, extraEnv: Record<string, string> = {}): Promise<ShellUnderTest> {
    const [file, args] = shellArgv(shell, sandbox);
    const proc = pty.spawn(file, args, {
      name: 'xterm-256color',
      cols: 200,
      rows: 50,
      // Raw bytes, byte for byte, as tmux %output would deliver them.
      encoding: null,
      cwd: join(sandbox.root, 'work'),
      env: { ...sandbox.env, ...extraEnv },
    });
    const s = new ShellUnderTest(shell, proc);
    // Ready handshake: the first prompt has been drawn (633;B) before typing.
    await waitFor(() => s.text().includes('\x1b]633;B\x07'), 15_000, `${shell} first prompt`);
    s.nonce = extraEnv.TSESSION_NONCE ?? readPaneNonce(proc.pid, sandbox.env);
    s.parser = createMarkerParser(s.nonce ? { nonce: s.nonce } : {});
    for (const chunk of s.raw) s.feed(chunk);
    return s;
  }

  get pid(): number {
    return this.proc.pid;
  }

  text(): string {
    return Buffer.concat(this.raw).toString('utf8');
  }

  count(type: MarkerEvent['type']): number {
    return this.events.filter((e) => e.type === type).length;
  }

  /** Type `input` and wait until the shell finished it and drew its next prompt. */
  async run(input: string, { finishes = 1 } = {}): Promise<MarkerEvent[]> {
    const from = this.events.length;
    const done = this.count('command-finished') + finishes;
    this.proc.write(input);
    await waitFor(
      () => this.count('command-finished') >= done && this.events.at(-1)?.type === 'command-start',
      10_000,
      `${this.shell} to finish ${JSON.stringify(input)}`,
    );
    return this.events.slice(from);
  }

  /** Start a long command, interrupt it with Ctrl-C once it runs. */
  async interrupt(input: string): Promise<MarkerEvent[]> {
    const from = this.events.length;
    const executed = this.count('command-executed') + 1;
    const done = this.count('command-finished') + 1;
    this.proc.write(input);
    await waitFor(() => this.count('command-executed') >= executed, 10_000, `${this.shell} to start ${input}`);
    // Let the program reach its wait before the signal.
    await new Promise((r) => setTimeout(r, 150));
    this.proc.write('\x03');
    await waitFor(
      () => this.count('command-finished') >= done && this.events.at(-1)?.type === 'command-start',
      10_000,
      `${this.shell} to return after Ctrl-C`,
    );
    return this.events.slice(from);
  }

  async exit(): Promise<void> {
    if (this.exited) return;
    this.proc.write('exit\r');
    try {
      await waitFor(() => this.exited, 5_000, `${this.shell} to exit`);
    } catch {
      this.proc.kill();
    }
  }

  kill(): void {
    if (!this.exited) this.proc.kill();
  }

  // The tracker gets what feedPane gives it; the tap keeps the events for assertions.
  private feed(chunk: Buffer): void {
    const parser = this.parser!;
    const tap = {
      push: (c: Uint8Array) => {
        const out = parser.push(c);
        this.events.push(...out);
        return out;
      },
    };
    feedPane(this.tracker, tap, chunk);
  }
}

/** Output with escape sequences removed: what a person would read. */
const plain = (text: string) => text.replace(/\x1b\][^\x07]*\x07|\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]/g, '');

const commandLines = (events: readonly MarkerEvent[]) =>
  events.filter((e): e is Extract<MarkerEvent, { type: 'command-line' }> => e.type === 'command-line');
const finishes = (events: readonly MarkerEvent[]) =>
  events.filter((e): e is Extract<MarkerEvent, { type: 'command-finished' }> => e.type === 'command-finished');

for (const shell of SHELLS) {
  const present = hasBinary(shell);
  if (!present) console.warn(`skipping ${shell} shell-integration tests: ${shell} is not installed`);

  describe.skipIf(!present)(`${shell} integration`, () => {
    let sandbox: Sandbox;
    let sh: ShellUnderTest;

    beforeAll(async () => {
      sandbox = makeSandbox(shell);
      sh = await ShellUnderTest.start(shell, sandbox);
    });

    afterAll(async () => {
      await sh?.exit();
      sh?.kill();
      sandbox?.cleanup();
    });

    it('registers a private nonce file for its pid that tsession can read', () => {
      expect(sh.nonce).toMatch(/^[0-9a-f]{32,64}$/);
      const file = join(sandbox.root, 'run', 'tsession', 'nonce', String(sh.pid));
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(join(sandbox.root, 'run', 'tsession', 'nonce')).mode & 0o777).toBe(0o700);
    });

    it('reports a plain command, trusted, with exit code 0', async () => {
      const events = await sh.run('echo hello\r');
      expect(commandLines(events)).toEqual([expect.objectContaining({ commandLine: 'echo hello', trusted: true })]);
      expect(finishes(events).map((e) => e.exitCode)).toEqual([0]);
      expect(sh.tracker.snapshot().lastCommand).toMatchObject({
        commandLine: 'echo hello',
        trusted: true,
        exitCode: 0,
        source: 'osc633-trusted',
      });
      expect(sh.tracker.snapshot().lastCommand?.durationMs).toBeGreaterThanOrEqual(0);
    });

    it('reports exit code 42 and keeps $? for the user’s hooks and prompt', async () => {
      await sh.run(`sh -c 'exit 42'\r`);
      expect(sh.tracker.snapshot().lastCommand).toMatchObject({ commandLine: `sh -c 'exit 42'`, exitCode: 42 });
      expect(sh.text()).toContain('[42]');
      await sh.run('echo "st=$__user_pc_status"\r');
      expect(sh.text()).toMatch(/st=42\r\n/);
    });

    it('sends D without an exit code on an empty Enter', async () => {
      const events = await sh.run('\r');
      expect(finishes(events)).toEqual([expect.objectContaining({ exitCode: null })]);
      expect(commandLines(events)).toEqual([]);
    });

    it('reports a Ctrl-C’ed command with the shell’s status (130)', async () => {
      await sh.interrupt('sleep 10\r');
      expect(sh.tracker.snapshot().lastCommand).toMatchObject({ commandLine: 'sleep 10', trusted: true, exitCode: 130 });
    });

    it('reports the cwd byte for byte after cd into spaces, unicode, ; and a tab', async () => {
      await sh.run('cd "$TSESSION_TEST_DIR"\r');
      const cwd = sh.tracker.snapshot().cwd;
      expect(cwd?.source).toBe('osc633');
      expect(Buffer.from(cwd!.path, 'utf8').equals(Buffer.from(sandbox.oddDir, 'utf8'))).toBe(true);
    });

    it('reports a two-line for loop', async () => {
      const events = await sh.run(FOR_LOOP[shell].typed);
      expect(commandLines(events)).toEqual([
        expect.objectContaining({ commandLine: FOR_LOOP[shell].reported, trusted: true }),
      ]);
      expect(sh.text()).toContain('n1\r\nn2\r\n');
    });

    it('reports quotes and backslashes exactly as typed', async () => {
      const line = `printf '%s|' "back\\\\slash" 'single "dq"' \\$HOME 'semi;colon'`;
      await sh.run(`${line}\r`);
      expect(sh.tracker.snapshot().lastCommand).toMatchObject({ commandLine: line, trusted: true, exitCode: 0 });
      expect(sh.text()).toContain('back\\slash|single "dq"|$HOME|semi;colon|');
    });

    it('marks a forged command line from a hostile file untrusted and keeps the genuine one', async () => {
      const events = await sh.run('cat "$TSESSION_TEST_HOSTILE"\r');
      expect(commandLines(events)).toEqual([
        expect.objectContaining({ commandLine: 'cat "$TSESSION_TEST_HOSTILE"', trusted: true }),
        expect.objectContaining({ commandLine: 'rm -rf ~', trusted: false }),
      ]);
      const s = sh.tracker.snapshot();
      expect(s.lastCommand).toMatchObject({ commandLine: 'cat "$TSESSION_TEST_HOSTILE"', trusted: true });
      expect(s.recentCommands.some((c) => c.commandLine === 'rm -rf ~')).toBe(false);
    });

    it('never signs anything with a nonce that was not the shell’s own', () => {
      expect(sh.text()).not.toContain(`;${FORGED_NONCE}\x07\x1b]633;C`);
      for (const e of commandLines(sh.events)) if (e.commandLine === 'rm -rf ~') expect(e.trusted).toBe(false);
    });

    it('keeps a line hidden from history out of its reports', async () => {
      const events = await sh.run(' echo secret-words\r');
      expect(commandLines(events)).toEqual([]);
      expect(events.some((e) => e.type === 'command-executed')).toBe(true);
      expect(finishes(events).map((e) => e.exitCode)).toEqual([0]);
    });

    it('keeps the user’s prompt hooks (once per prompt), prompt and preexec hooks', async () => {
      if (shell === 'fish') {
        // The user's own fish_prompt still draws the prompt.
        expect(sh.text()).toContain('] > \x1b]633;B\x07');
      } else {
        await sh.run('echo "runs=$__user_pc_runs"\r');
        await sh.run('echo "runs=$__user_pc_runs"\r');
        const runs = [...sh.text().matchAll(/runs=(\d+)\r\n/g)].map((m) => Number(m[1]));
        expect(runs.at(-1)! - runs.at(-2)!).toBe(1);
      }
      if (shell !== 'bash') {
        await sh.run('echo "pre=$__user_preexec_line"\r');
        expect(sh.text()).toContain('pre=echo "pre=$__user_preexec_line"');
      } else {
        // The user's PS0 still prints (before our C) and their DEBUG trap still fires.
        expect(sh.text()).toMatch(/\[user-ps0\]\x1b\]633;E;/);
        await sh.run('echo "dbg=$__user_debug"\r');
        expect(Number(/dbg=(\d+)\r\n/.exec(plain(sh.text()))?.[1])).toBeGreaterThan(5);
      }
    });

    it('is idempotent when sourced twice: one A, B, E and C per command', () => {
      // The forged line from the hostile file is not the shell's: leave it out.
      const seq = sh.events.filter((e) => e.type !== 'command-line' || e.trusted).map((e) => e.type);
      // Between two prompt starts there is at most one of each marker.
      let seen = new Map<string, number>();
      for (const t of seq) {
        if (t === 'prompt-start') seen = new Map();
        seen.set(t, (seen.get(t) ?? 0) + 1);
        if (t !== 'cwd' && t !== 'property') expect(seen.get(t)).toBe(1);
      }
      if (shell === 'bash') {
        const r = spawnSync(
          'bash',
          ['--noprofile', '--rcfile', join(sandbox.root, 'bashrc'), '-i', '-c', 'declare -p PROMPT_COMMAND'],
          { env: sandbox.env, encoding: 'utf8' },
        );
        expect(r.stdout.match(/__tsession_precmd/g)).toHaveLength(1);
        expect(r.stdout).toContain('__user_pc_status=');
      }
    });

    it('takes its nonce off disk when it exits', async () => {
      const file = join(sandbox.root, 'run', 'tsession', 'nonce', String(sh.pid));
      expect(readPaneNonce(sh.pid, sandbox.env)).toBe(sh.nonce);
      await sh.exit();
      // zsh removes the file (zf_rm is a builtin); bash and fish empty it
      // without a fork, and tsession prunes it.
      await waitFor(() => !existsSync(file) || readFileSync(file).length === 0, 5_000, 'nonce file emptied');
      expect(readPaneNonce(sh.pid, sandbox.env)).toBeUndefined();
    });
  });

  describe.skipIf(!present)(`${shell} with a nonce handed in by tsession`, () => {
    it('signs with $TSESSION_NONCE and does not pass it on to children', async () => {
      const sandbox = makeSandbox(shell);
      const nonce = 'feedface'.repeat(4);
      const sh = await ShellUnderTest.start(shell, sandbox, { TSESSION_NONCE: nonce });
      try {
        await sh.run('env | grep -c TSESSION_NONCE\r');
        expect(sh.tracker.snapshot().lastCommand).toMatchObject({ trusted: true, exitCode: 1 });
        expect(plain(sh.text()).replace('[user-ps0]', '')).toMatch(/[\r\n]0\r\n/);
      } finally {
        await sh.exit();
        sh.kill();
        sandbox.cleanup();
      }
    });
  });
}
