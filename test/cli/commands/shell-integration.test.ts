/**
 * `tsession shell-integration <shell>` and the scripts' behaviour outside an
 * interactive shell: printed verbatim, syntax-valid, silent and inert when
 * sourced by a script.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  packageRoot,
  SHELL_SCRIPTS,
  shellIntegrationCommand,
  shellScriptPath,
  type IntegratedShell,
} from '../../../src/cli/commands/shell-integration.js';
import { UserError } from '../../../src/user-error.js';
import { tempDir } from '../../helpers/tmux-server.js';

const SHELLS = Object.keys(SHELL_SCRIPTS) as IntegratedShell[];

function hasBinary(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

function collect(): { stream: Writable; text: () => string } {
  const parts: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      parts.push(Buffer.from(chunk));
      cb();
    },
  });
  return { stream, text: () => Buffer.concat(parts).toString('utf8') };
}

describe('shellIntegrationCommand', () => {
  it.each(SHELLS)('prints the %s script verbatim', async (shell) => {
    const out = collect();
    await shellIntegrationCommand(shell, out.stream);
    expect(out.text()).toBe(readFileSync(join(packageRoot(), 'shell', `tsession.${shell}`), 'utf8'));
    expect(out.text()).toContain('633;E;');
  });

  it('refuses another shell with a one-line UserError and exit code 2', async () => {
    const err = await shellIntegrationCommand('tcsh', collect().stream).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toBe('Expected a shell of bash, zsh or fish, got tcsh');
    expect((err as UserError).exitCode).toBe(2);
  });

  it('does not treat inherited object keys as shells', async () => {
    await expect(shellIntegrationCommand('constructor', collect().stream)).rejects.toBeInstanceOf(UserError);
  });

  it('finds the package root by its package.json name', () => {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { name: string };
    expect(pkg.name).toBe('tsession');
  });
});

/** argv that sources the script in a NON-interactive shell, then prints "done". */
const NON_INTERACTIVE: Record<IntegratedShell, (script: string) => [string, string[]]> = {
  bash: (s) => ['bash', ['--noprofile', '--norc', '-c', `source '${s}'; source '${s}'; declare -F __tsession_precmd; echo done`]],
  zsh: (s) => ['zsh', ['-f', '-c', `source '${s}'; source '${s}'; whence -w __tsession_precmd >/dev/null && echo defined; echo done`]],
  fish: (s) => ['fish', ['--no-config', '-c', `source '${s}'; source '${s}'; functions -q __tsession_on_prompt; and echo defined; echo done`]],
};

/** argv that only parses the script. */
const SYNTAX_CHECK: Record<IntegratedShell, (script: string) => [string, string[]]> = {
  bash: (s) => ['bash', ['-n', s]],
  zsh: (s) => ['zsh', ['-n', s]],
  fish: (s) => ['fish', ['--no-execute', s]],
};

describe.each(SHELLS)('%s script outside an interactive shell', (shell) => {
  const present = hasBinary(shell);
  if (!present) console.warn(`skipping ${shell} script checks: ${shell} is not installed`);
  let sandbox: { path: string; cleanup: () => void };

  beforeAll(() => {
    sandbox = tempDir(`tsession-si-nonint-${shell}-`);
    mkdirSync(join(sandbox.path, 'run'), { mode: 0o700 });
  });
  afterAll(() => sandbox.cleanup());

  it.skipIf(!present)('parses cleanly', () => {
    const [file, args] = SYNTAX_CHECK[shell](shellScriptPath(shell));
    const r = spawnSync(file, args, { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.skipIf(!present)('emits nothing, defines no hooks and registers no nonce', () => {
    const [file, args] = NON_INTERACTIVE[shell](shellScriptPath(shell));
    const r = spawnSync(file, args, {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: sandbox.path,
        XDG_RUNTIME_DIR: join(sandbox.path, 'run'),
        XDG_CONFIG_HOME: sandbox.path,
        XDG_DATA_HOME: sandbox.path,
      },
    });
    expect(r.stdout).toBe('done\n');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readdirSync(join(sandbox.path, 'run'))).toEqual([]);
  });
});
