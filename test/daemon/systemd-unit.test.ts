/**
 * The systemd user unit: ExecStart arguments quoted the way systemd reads
 * them, and the unit `--watch --print-unit` prints.
 */
import { describe, expect, it } from 'vitest';
import { systemdArg } from '../../src/daemon/systemd-unit.js';
import { runCli } from '../helpers/cli.js';

describe('systemd unit', () => {
  it('quotes ExecStart arguments the way systemd reads them', () => {
    expect(systemdArg('/usr/bin/node')).toBe('/usr/bin/node');
    expect(systemdArg('/tmp/tmux-0/my sock')).toBe('"/tmp/tmux-0/my sock"');
    expect(systemdArg('50%$HOME')).toBe('50%%$$HOME');
    expect(systemdArg('a"b\\c\nd')).toBe('"a\\"b\\\\c\\x0ad"');
  });

  it('--print-unit prints a unit running this same watch of the server the user named (-L kept), and starts nothing', async () => {
    const r = await runCli(null, ['-L', 'we ird%', '--state-dir', '/tmp/s', '--watch', '--interval', '30', '--auto-restore', '--print-unit'], {}, 20_000);
    expect(r.code).toBe(0);
    const exec = r.stdout.split('\n').find((l) => l.startsWith('ExecStart='))!;
    expect(exec).toMatch(/^ExecStart=\S+node \S+\/dist\/tsession\.cjs -L "we ird%%" --state-dir \/tmp\/s --watch --interval 30 --auto-restore$/);
    // Without --state-dir the resolved one is written in: systemd does not pass the shell's XDG variables.
    const plain = await runCli(null, ['-L', 'w', '--watch', '--print-unit'], { XDG_STATE_HOME: '/home/u/st', XDG_CONFIG_HOME: '/home/u/cf' }, 20_000);
    expect(plain.stdout).toMatch(/\nExecStart=\S+ \S+ -L w --state-dir \/home\/u\/st\/tsession --watch\n/);
    expect(plain.stdout).toContain('\nEnvironment=XDG_CONFIG_HOME=/home/u/cf\n');
    expect(plain.stdout).toContain('\nKillMode=process\n');
    // -L resolves under TMUX_TMPDIR: the unit gets the same one, so it watches the same socket.
    const tmpdir = await runCli(null, ['-L', 'w', '--watch', '--print-unit'], { TMUX_TMPDIR: '/run/tt' }, 20_000);
    expect(tmpdir.stdout).toContain('\nEnvironment=TMUX_TMPDIR=/run/tt\n');
    // -S stays -S; bounds are checked before anything is printed.
    expect((await runCli(null, ['-S', '/tmp/x y', '--watch', '--print-unit'], {}, 20_000)).stdout).toMatch(/\nExecStart=\S+ \S+ -S "\/tmp\/x y" --state-dir /);
    expect(JSON.parse((await runCli(null, ['-L', 'w', '--watch', '--print-unit', '--json'], {}, 20_000)).stdout)).toEqual({ unit: expect.stringContaining('\nExecStart=') });
    expect(await runCli(null, ['-L', 'w', '--watch', '--health', '0.5', '--print-unit'], {}, 20_000)).toMatchObject({ code: 2, stdout: '' });
    expect(r.stdout).toMatch(/\nDescription=tsession watch of tmux server -L we ird%% \(\/\S+\/we ird%%\)\n/);
    expect(r.stdout).toMatch(/\nRestart=on-failure\n[\s\S]*\nRestartPreventExitStatus=2 6\n[\s\S]*\nWantedBy=default.target\n$/);
  });

  it('carries --auto-unfreeze, --auto-unfreeze-after and --max-restores into the unit, and checks them first', async () => {
    const r = await runCli(null, ['-L', 'w', '--watch', '--auto-unfreeze', '--auto-unfreeze-after', '5', '--max-restores', '10', '--print-unit'], {}, 20_000);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\nExecStart=\S+ \S+ -L w --state-dir \S+ --watch --auto-unfreeze --auto-unfreeze-after 5 --max-restores 10\n/);
    for (const bad of [['--max-restores', '0'], ['--max-restores', 'many'], ['--auto-unfreeze-after', '0.5']]) {
      const e = await runCli(null, ['-L', 'w', '--watch', ...bad, '--print-unit'], {}, 20_000);
      expect(e).toMatchObject({ code: 2, stdout: '' });
      expect(e.stderr).toMatch(new RegExp(`^tsession: ${bad[0]}: expected`));
    }
  });
});
