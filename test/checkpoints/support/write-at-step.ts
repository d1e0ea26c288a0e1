/**
 * Child script: write one good checkpoint into argv[2] (printing its id),
 * then start a second and SIGKILL itself right after atomic-write step
 * argv[3] — a crash at an exact step instead of a random instant.
 */
import { createCheckpointStore } from '../../../checkpoints/store.js';
import { PROC_IDENTITY } from '../../../sessions/proc/liveness.js';
import { SAMPLE_HOME, sampleDraft } from './sample-body.js';

const [dir, killAt] = process.argv.slice(2);
if (!dir || !killAt) throw new Error('Expected <store dir> <step> as arguments, got too few');
const first = await createCheckpointStore({ dir, homeDir: SAMPLE_HOME, identity: PROC_IDENTITY }).write(sampleDraft({ sessions: ['first'] }));
if (!first.ok || first.value.kind !== 'written') throw new Error('Expected the first save to succeed');
process.stdout.write(`${first.value.id}\n`);
const crashing = createCheckpointStore({
  dir,
  homeDir: SAMPLE_HOME,
  identity: PROC_IDENTITY,
  afterWriteStep: (step) => {
    if (step === killAt) process.kill(process.pid, 'SIGKILL');
  },
});
await crashing.write(sampleDraft({ sessions: ['second'] }));
throw new Error(`Expected to be killed after step ${killAt}`);
