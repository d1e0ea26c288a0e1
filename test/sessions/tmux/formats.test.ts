/**
 * The one length-prefix decoder, untagged (formats.ts).
 */
import { describe, expect, it } from 'vitest';
import { decodeRecords } from '../../../sessions/tmux/formats.js';

describe('decodeRecords', () => {
  it('decodes safe fields and length-prefixed text holding any byte', () => {
    const name = 'a\tb|c\nd  "e\\f ü';
    const buf = Buffer.from(`1 $2 ${Buffer.byteLength(name)}:${name}0:\n3 $4 1:x0:\n`);
    expect(decodeRecords(buf, 2, 2)).toEqual([
      ['1', '$2', name, ''],
      ['3', '$4', 'x', ''],
    ]);
    expect(() => decodeRecords(Buffer.from('1 $2 99:short\n'), 2, 1)).toThrow(/Expected/);
  });
});
