/**
 * Child script: write checkpoints (with changing blobs) into argv[2] forever,
 * pruning now and then, until killed. Prints "ready" after the first save so
 * the crash test kills it mid-work, not during start-up.
 */
import { createCheckpointStore } from '../../../checkpoints/store.js';
import { PROC_IDENTITY } from '../../../sessions/proc/liveness.js';
import { SAMPLE_HOME, sampleDraft } from './sample-body.js';

const dir = process.argv[2];
if (!dir) throw new Error('Expected a store dir as argv[2], got nothing');
const store = createCheckpointStore({ dir, homeDir: SAMPLE_HOME, identity: PROC_IDENTITY });
for (let i = 0; ; i++) {
  const blob = await store.putBlob({ v: 1, normal: `scrollback ${process.pid} ${i}\n`.repeat(200), alternate: null });
  if (!blob.ok) throw new Error(blob.error.message);
  const r = await store.write(sampleDraft({ sessions: ['work', `s${i % 3}`], panesPerWindow: 3, blob: blob.value.sha256 }));
  if (!r.ok) throw new Error(r.error.message);
  if (i === 0) process.stdout.write('ready\n');
  // Pruning is part of the work a crash can interrupt too.
  if (i % 7 === 6) await store.prune({ keepLast: 5, dailyForDays: 1 });
}
