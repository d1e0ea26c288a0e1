/**
 * Child script: write one checkpoint (with a blob) into the store dir given
 * as argv[2] and report `{ok, id}` on stdout. Used by the concurrency test.
 */
import { createCheckpointStore } from '../../../checkpoints/store.js';
import { PROC_IDENTITY } from '../../../sessions/proc/liveness.js';
import { SAMPLE_HOME, sampleDraft } from './sample-body.js';

const dir = process.argv[2];
if (!dir) throw new Error('Expected a store dir as argv[2], got nothing');
const store = createCheckpointStore({ dir, homeDir: SAMPLE_HOME, identity: PROC_IDENTITY });
// Every child stores the same contents: concurrent writers of one blob must not clash.
const blob = await store.putBlob({ v: 1, normal: 'shared scrollback\n', alternate: null });
if (!blob.ok) throw new Error(blob.error.message);
const r = await store.write(sampleDraft({ sessions: [`s${process.pid}`], blob: blob.value.sha256 }));
process.stdout.write(JSON.stringify(r.ok && r.value.kind === 'written' ? { ok: true, id: r.value.id } : { ok: false, r }));
