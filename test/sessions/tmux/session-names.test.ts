/** readSessionNames (the watch daemon's roster) against a real, isolated server: ids and names, names with spaces and UTF-8 intact. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSessionNames } from '../../../sessions/tmux/queries.js';
import { cleanupAfterEach, killServer } from '../../helpers/teardown.js';
import { createTestServer } from '../../helpers/tmux-server.js';

const afterTest = cleanupAfterEach();

describe('readSessionNames', () => {
  it('every session id with its name, spaces and UTF-8 intact (tmux itself turns a colon into _)', async () => {
    const server = createTestServer();
    afterTest(() => killServer(server));
    for (const name of ['api', 'a b ü']) server.tmux('new-session', '-d', '-s', name, '-x', '80', '-y', '24');
    const ids = server.tmux('list-sessions', '-F', '#{session_id}').trim().split('\n');
    const spec = { socketPath: join(`${(process.env.TMUX_TMPDIR || '/tmp').replace(/\/+$/, '')}/tmux-${process.getuid?.() ?? 0}`, server.name), label: `-L ${server.name}` };
    const names = await readSessionNames(spec, { env: server.env });
    expect([...names.values()].sort()).toEqual(['a b ü', 'api']);
    expect([...names.keys()].sort()).toEqual(ids.sort());
  });
});
