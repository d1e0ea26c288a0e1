/**
 * Regenerates fixtures/checkpoints/: one valid checkpoint with its blob and
 * one damaged variant per failure the reader must name. Run through the
 * transpiled tree (see build-children.ts); argv[2] is the output dir.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeContentsBlob } from '../../../checkpoints/blobs.js';
import { sealCheckpoint, sha256Hex } from '../../../checkpoints/canonical.js';
import type { CheckpointBody } from '../../../checkpoints/schema.js';
import { sampleDraft } from './sample-body.js';

const out = process.argv[2];
if (!out) throw new Error('Expected an output dir as argv[2], got nothing');

const blobBytes = encodeContentsBlob({ v: 1, normal: '\u001b[32m$\u001b[0m make test\nok\n', alternate: null });
const blobSha = sha256Hex(blobBytes);
writeFileSync(join(out, `${blobSha}.msgpack`), blobBytes);

// Ids sort by time: the valid one is oldest, every damaged one newer.
const id = (n: number) => `20261124T0900${String(n).padStart(2, '0')}.000Z-1-00000${n}-0000000${n}`;
const body = (n: number, blob = blobSha): CheckpointBody => ({
  ...sampleDraft({ sessions: ['work', 'logs'], blob }),
  id: id(n),
  createdAt: `2026-11-24T09:00:${String(n).padStart(2, '0')}.000Z`,
});
const text = (b: CheckpointBody) => `${JSON.stringify(sealCheckpoint(b))}\n`;

const manifest: Record<string, { id: string; kind: string; reason: string }> = {};
const emit = (name: string, n: number, content: string, kind: string, reason: string) => {
  writeFileSync(join(out, name), content);
  manifest[name] = { id: id(n), kind, reason };
};

emit('valid.json', 0, text(body(0)), 'valid', '');
const t = text(body(1));
emit('truncated.json', 1, t.slice(0, Math.floor(t.length / 2)), 'corrupt', 'truncated');
// Case-flip one letter of a pane title: still JSON, but the checksum no longer fits.
const f = text(body(2));
const at = f.indexOf('pane 0') + 1;
emit('flipped-bytes.json', 2, f.slice(0, at) + String.fromCharCode(f.charCodeAt(at) ^ 0x20) + f.slice(at + 1), 'corrupt', 'checksum mismatch');
emit('invalid-json.json', 3, text(body(3)).replace('"host":', '"host";'), 'corrupt', 'invalid JSON');
emit('wrong-checksum.json', 4, text(body(4)).replace(/"sha256":"[0-9a-f]{64}"/, `"sha256":"${sha256Hex('not this body')}"`), 'corrupt', 'checksum mismatch');
// A future build's file need not match today's schema at all: the version is checked first.
const future = { format: 'tsession-checkpoint', version: 3, sha256: sha256Hex('{}'), body: { id: id(5), servers: [] } };
emit('future-version.json', 5, `${JSON.stringify(future)}\n`, 'future-version', 'schema version 3');
emit('missing-blob.json', 6, text(body(6, sha256Hex('no such blob'))), 'corrupt', 'missing blob');
writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
