/**
 * Entry of the keeper process (bundled alone to dist/tsession-keeper.cjs,
 * so it loads only node-pty, msgpackr and the IPC layer: it stays small).
 * Started detached by the host; JSON lines on stderr.
 */
import { resolvePaths } from '../../checkpoints/paths.js';
import { startKeeper } from './keeper.js';

const log = (line: Record<string, unknown>) => process.stderr.write(`${JSON.stringify({ at: new Date().toISOString(), ...line })}\n`);
const paths = resolvePaths({ env: process.env, uid: process.getuid?.() ?? 0, cwd: process.cwd() });
void startKeeper(paths.runtimeDir, log, () => process.exit(0)).then((r) => {
  if (r.kind === 'already-running') {
    log({ event: 'already-running', pid: r.pid });
    process.exit(0);
  }
  if (r.kind === 'failed') {
    log({ event: 'failed', message: r.message });
    process.exit(1);
  }
});
