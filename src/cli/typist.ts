/**
 * Entry of the restore typist (bundled alone to dist/tsession-typist.cjs:
 * it starts in a fraction of the full command line's time, while a hundred
 * shells compete for the CPU). Started detached by `tsession restore`
 * (src/ops/restore-handoff.ts) with the path of its handoff file; it types
 * the saved commands as each shell reaches its prompt, journals what it
 * did, and exits. Its stderr goes to the store's typist.log.
 */
import { HandoffReadError, runHandoff, takeHandoff } from '../ops/restore-handoff.js';

const log = (line: Record<string, unknown>) => process.stderr.write(`${JSON.stringify({ at: new Date().toISOString(), ...line })}\n`);

async function main(file: string | undefined): Promise<number> {
  if (!file) {
    log({ event: 'usage', message: 'tsession-typist HANDOFF_FILE (started by tsession restore)' });
    return 2;
  }
  try {
    return await runHandoff(await takeHandoff(file));
  } catch (e) {
    log({ event: e instanceof HandoffReadError ? 'bad-handoff' : 'failed', message: e instanceof Error ? e.message : String(e) });
    return 1;
  }
}

void main(process.argv[2]).then((code) => {
  process.exitCode = code;
});
