import { describe, expect, it } from 'vitest';
import { CONTROL_OUTPUT_SLAB_BYTES, createControlModeParser } from '../../parsers/control-mode.js';
import {
  MAX_CONTROL_LINE_BYTES,
  MAX_CONTROL_REPLY_BYTES,
  MAX_OSC_PAYLOAD_BYTES,
} from '../../parsers/limits.js';
import { createMarkerParser } from '../../parsers/marker-parser.js';
import { latin1, plain, runControl, runMarkers, splitAt } from './stream-helpers.js';

const ESC = '\x1b';
const BEL = '\x07';
const NONCE = 'ab12';

/** An OSC 633 E whose payload (`E;<line>;<nonce>`) is exactly `size` bytes. */
function commandLineOfPayload(size: number): { text: string; line: string } {
  const fixed = `E;;${NONCE}`.length;
  const line = 'x'.repeat(size - fixed);
  return { text: `${ESC}]633;E;${line};${NONCE}${BEL}`, line };
}

describe('MAX_OSC_PAYLOAD_BYTES', () => {
  it('is 64 KiB', () => {
    expect(MAX_OSC_PAYLOAD_BYTES).toBe(65536);
  });

  it('keeps a payload of exactly the cap', () => {
    const { text, line } = commandLineOfPayload(MAX_OSC_PAYLOAD_BYTES);
    const r = runMarkers([latin1(text)], { nonce: NONCE });
    expect(r.events).toEqual([{ type: 'command-line', commandLine: line, trusted: true, offset: 0 }]);
    expect(r.stats.dropped).toBe(0);
    expect(r.stats.peakBufferBytes).toBe(MAX_OSC_PAYLOAD_BYTES);
  });

  it('drops a payload one byte over the cap, counts it, and resynchronises', () => {
    const { text } = commandLineOfPayload(MAX_OSC_PAYLOAD_BYTES + 1);
    const r = runMarkers([latin1(`${text}${ESC}]633;C${BEL}`)], { nonce: NONCE });
    expect(r.events).toEqual([{ type: 'command-executed', dialect: '633', offset: text.length }]);
    expect(r.stats).toMatchObject({ dropped: 1, malformed: 0, sequences: 2 });
    expect(r.stats.peakBufferBytes).toBeLessThanOrEqual(MAX_OSC_PAYLOAD_BYTES);
  });

  it('applies an overridden cap at N and N+1, whatever the chunking', () => {
    const cap = 16;
    for (const size of [cap, cap + 1]) {
      const { text } = commandLineOfPayload(size);
      const bytes = latin1(`${text}${ESC}]633;A${BEL}`);
      const whole = runMarkers([bytes], { nonce: NONCE, limits: { maxOscPayloadBytes: cap } });
      expect(whole.events.map((e) => e.type)).toEqual(size === cap ? ['command-line', 'prompt-start'] : ['prompt-start']);
      expect(whole.stats.dropped).toBe(size === cap ? 0 : 1);
      for (let at = 0; at <= bytes.length; at++) {
        const split = runMarkers(splitAt(bytes, [at]), { nonce: NONCE, limits: { maxOscPayloadBytes: cap } });
        expect(split, `split at ${at}`).toEqual(whole);
      }
    }
  });

  it('does not count ignored C0 controls toward the cap', () => {
    const cap = 8;
    const r = runMarkers([latin1(`${ESC}]633;P;K=abcd\x01\x02\x03${BEL}`)], { limits: { maxOscPayloadBytes: cap } });
    expect(r.events).toEqual([{ type: 'property', key: 'K', value: 'abcd', offset: 0 }]);
  });

  it('holds memory to the cap on a 64 MiB unterminated sequence', () => {
    const p = createMarkerParser();
    p.push(latin1(`${ESC}]633;E;`));
    const chunk = new Uint8Array(64 * 1024).fill(0x41);
    let peak = 0;
    for (let i = 0; i < 1024; i++) {
      p.push(chunk);
      peak = Math.max(peak, p.stats().bufferBytes);
    }
    expect(peak).toBeLessThanOrEqual(MAX_OSC_PAYLOAD_BYTES);
    expect(p.stats()).toMatchObject({ dropped: 1, bytes: 64 * 1024 * 1024 + 8 });
    // After the over-long sequence ends, the buffer is released and parsing goes on.
    expect(p.push(latin1(`${BEL}${ESC}]633;B${BEL}`))).toHaveLength(1);
    expect(p.stats().bufferBytes).toBeLessThanOrEqual(256);
  });
});

describe('MAX_CONTROL_LINE_BYTES', () => {
  it('is 1 MiB', () => {
    expect(MAX_CONTROL_LINE_BYTES).toBe(1024 * 1024);
  });

  it('keeps a line of exactly the limit and drops one byte more, at the default limit', () => {
    const head = '%output %1 ';
    const ok = head + 'a'.repeat(MAX_CONTROL_LINE_BYTES - head.length);
    const over = ok + 'a';
    const r = runControl([latin1(`${ok}\n${over}\n%exit\n`)]);
    expect(r.events.map((e) => e.type)).toEqual(['output', 'exit']);
    expect(r.stats.dropped).toBe(1);
  });

  it('applies an overridden limit at N and N+1, whatever the chunking (carry path too)', () => {
    const limit = 24;
    const head = '%output %1 ';
    for (const size of [limit, limit + 1]) {
      const line = head + 'z'.repeat(size - head.length);
      const bytes = latin1(`${line}\n%sessions-changed\n`);
      const whole = runControl([bytes], { limits: { maxLineBytes: limit } });
      expect(whole.events.map((e) => e.type)).toEqual(size === limit ? ['output', 'sessions-changed'] : ['sessions-changed']);
      for (let at = 0; at <= bytes.length; at++) {
        for (let at2 = at; at2 <= bytes.length; at2 += 7) {
          const split = runControl(splitAt(bytes, [at, at2]), { limits: { maxLineBytes: limit } });
          expect(plain(split.events), `split at ${at},${at2}`).toEqual(plain(whole.events));
          expect(split.stats.dropped).toBe(whole.stats.dropped);
        }
      }
    }
  });

  it('holds memory to the limit on a 64 MiB line without newline', () => {
    const p = createControlModeParser({ limits: { maxLineBytes: 4096 } });
    const chunk = new Uint8Array(64 * 1024).fill(0x41);
    chunk[0] = 0x25;
    for (let i = 0; i < 1024; i++) p.push(chunk);
    // The carry buffer stays within the line limit; the output slab is fixed-size.
    expect(p.stats().peakBufferBytes).toBeLessThanOrEqual(4096 + CONTROL_OUTPUT_SLAB_BYTES);
    expect(p.push(latin1('\n%exit\n'))).toEqual([{ type: 'exit', reason: null }]);
  });
});

describe('MAX_CONTROL_REPLY_BYTES', () => {
  it('is 16 MiB', () => {
    expect(MAX_CONTROL_REPLY_BYTES).toBe(16 * 1024 * 1024);
  });

  it('keeps content of exactly the default limit and truncates one byte more', () => {
    // 16 lines at the line limit make exactly 16 MiB of content.
    const line = Buffer.alloc(MAX_CONTROL_LINE_BYTES, 0x61);
    const lines = MAX_CONTROL_REPLY_BYTES / MAX_CONTROL_LINE_BYTES;
    const parts = [Buffer.from('%begin 1 2 3\n'), ...Array.from({ length: lines }, () => Buffer.concat([line, Buffer.from('\n')]))];
    const at = runControl([...parts, Buffer.from('%end 1 2 3\n')]);
    expect(at.events).toHaveLength(1);
    expect(at.events[0]).toMatchObject({ type: 'reply', ok: true });
    expect(at.events[0]).not.toHaveProperty('truncated');
    const over = runControl([...parts, Buffer.from('x\n%end 1 2 3\n')]);
    expect(over.events[0]).toMatchObject({ type: 'reply', truncated: true });
    expect(over.events[0]?.type === 'reply' && over.events[0].lines.length).toBe(lines);
  });

  it('keeps content of exactly an overridden limit and truncates one byte more', () => {
    const limit = 10;
    const reply = (content: string[]) => `%begin 1 2 3\n${content.join('\n')}\n%end 1 2 3\n`;
    const at = runControl([latin1(reply(['12345', '67890']))], { limits: { maxReplyBytes: limit } });
    expect(at.events).toEqual([{ type: 'reply', ok: true, time: 1, number: 2, flags: 3, lines: ['12345', '67890'] }]);
    const over = runControl([latin1(reply(['12345', '678901', 'x']))], { limits: { maxReplyBytes: limit } });
    expect(over.events).toEqual([
      { type: 'reply', ok: true, time: 1, number: 2, flags: 3, lines: ['12345'], truncated: true },
    ]);
    expect(over.stats.dropped).toBe(2);
  });

  it('marks a reply truncated when one of its lines is over the line limit', () => {
    const r = runControl([latin1(`%begin 1 2 3\nshort\n${'y'.repeat(40)}\n%end 1 2 3\n`)], {
      limits: { maxLineBytes: 32 },
    });
    expect(r.events).toEqual([{ type: 'reply', ok: true, time: 1, number: 2, flags: 3, lines: ['short'], truncated: true }]);
  });
});
