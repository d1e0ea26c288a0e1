/**
 * runTmuxScript: many commands in one tmux process through `source-file -`,
 * on a real isolated server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveServer } from '../../../sessions/tmux/server.js';
import { scriptArg } from '../../../sessions/tmux/argv.js';
import { runTmuxScript } from '../../../sessions/tmux/client.js';
import { TmuxError } from '../../../sessions/tmux/errors.js';
import { createTestServer, type TestServer } from '../../helpers/tmux-server.js';

describe('scriptArg', () => {
  it('single-quotes what a single quote holds verbatim', () => {
    expect(scriptArg('%12')).toBe("'%12'");
    expect(scriptArg('tsc-abc #{pane_id} n')).toBe("'tsc-abc #{pane_id} n'");
    expect(scriptArg('$HOME ~ ; { } é')).toBe("'$HOME ~ ; { } é'");
  });

  it.each(["it's", 'a\\b', 'line\nbreak', 'bell\x07', 'del\x7f'])('refuses %j', (arg) => {
    expect(() => scriptArg(arg)).toThrow('Expected a tmux script argument without quotes, backslashes or control bytes');
  });
});

describe('runTmuxScript', () => {
  let server: TestServer;
  beforeAll(() => {
    server = createTestServer();
    server.tmux('new-session', '-d', '-s', 'work', '-x', '80', '-y', '24');
  });
  afterAll(() => server.kill());
  const spec = () => resolveServer({ socketName: server.name }, server.env, process.getuid?.() ?? 0);

  it('runs more commands than one argv message holds, in order, in one process', async () => {
    // ~2,000 commands × ~40 bytes is ~5 tmux argv messages' worth.
    const commands = Array.from({ length: 2000 }, (_, i) => ['display-message', '-p', `line ${i} $HOME ~ #{session_name}`]);
    const r = await runTmuxScript(spec(), commands, { env: server.env });
    expect(r.someFailed).toBe(false);
    const lines = r.stdout.toString('utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(2000);
    expect(lines[0]).toBe('line 0 $HOME ~ work');
    expect(lines[1999]).toBe('line 1999 $HOME ~ work');
  });

  it('a failing command does not stop the ones after it', async () => {
    const r = await runTmuxScript(
      spec(),
      [['display-message', '-p', 'before'], ['capture-pane', '-p', '-t', '%9999'], ['display-message', '-p', 'after']],
      { env: server.env },
    );
    expect(r.someFailed).toBe(true);
    expect(r.stdout.toString()).toBe('before\nafter\n');
    expect(r.stderr).toContain("can't find pane");
  });

  it('no server is a TmuxError, not a partial result', async () => {
    const none = resolveServer({ socketName: `${server.name}-absent` }, server.env, process.getuid?.() ?? 0);
    const e = await runTmuxScript(none, [['display-message', '-p', 'x']], { env: server.env }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TmuxError);
    expect((e as TmuxError).kind).toBe('no-server');
  });
});
