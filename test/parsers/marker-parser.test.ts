import { describe, expect, it } from 'vitest';
import { createMarkerParser } from '../../parsers/marker-parser.js';
import { latin1, runMarkers, utf8 } from './stream-helpers.js';

const NONCE = 'f00dcafe';
const ESC = '\x1b';
const BEL = '\x07';
const ST = `${ESC}\\`;
const osc = (body: string, end = BEL) => `${ESC}]${body}${end}`;
const parse = (s: string, nonce?: string) => runMarkers([utf8(s)], nonce === undefined ? {} : { nonce });
const events = (s: string, nonce?: string) => parse(s, nonce).events;
const only = (s: string, nonce?: string) => {
  const ev = events(s, nonce);
  expect(ev).toHaveLength(1);
  return ev[0]!;
};
const commandLine = (escaped: string) => {
  const ev = only(osc(`633;E;${escaped};${NONCE}`), NONCE);
  expect(ev).toMatchObject({ type: 'command-line', trusted: true });
  return (ev as { commandLine: string }).commandLine;
};

describe('OSC 633 lifecycle markers', () => {
  it('emits A, B, C with the offset of their ESC', () => {
    expect(events(`ab${osc('633;A')}$ ${osc('633;B')}ls${osc('633;C')}`)).toEqual([
      { type: 'prompt-start', dialect: '633', offset: 2 },
      { type: 'command-start', dialect: '633', offset: 12 },
      { type: 'command-executed', dialect: '633', offset: 22 },
    ]);
  });

  it('reads D with an exit code, without one (null), empty (null) and negative', () => {
    expect(only(osc('633;D;0'))).toMatchObject({ type: 'command-finished', exitCode: 0 });
    expect(only(osc('633;D;42'))).toMatchObject({ exitCode: 42 });
    expect(only(osc('633;D'))).toEqual({ type: 'command-finished', dialect: '633', exitCode: null, offset: 0 });
    expect(only(osc('633;D;'))).toMatchObject({ exitCode: null });
    expect(only(osc('633;D;-1'))).toMatchObject({ exitCode: -1 });
  });

  it('skips and counts a D whose exit code is not a number', () => {
    for (const bad of ['633;D;abc', '633;D;4x', '633;D;-', '633;D;12345678901']) {
      const r = parse(osc(bad));
      expect(r.events, bad).toEqual([]);
      expect(r.stats.malformed, bad).toBe(1);
    }
  });

  it('skips unknown and multi-letter commands without counting them malformed', () => {
    const r = parse(osc('633;Z') + osc('633;EnvJson;{}') + osc('633;AB'));
    expect(r.events).toEqual([]);
    expect(r.stats.malformed).toBe(0);
    expect(r.stats.sequences).toBe(3);
  });

  it('counts a marker number with no payload as malformed', () => {
    expect(parse(osc('633')).stats.malformed).toBe(1);
    expect(parse(osc('133')).stats.malformed).toBe(1);
    expect(parse(osc('633;')).stats.malformed).toBe(1);
  });
});

describe('OSC 633 E: command line and trust', () => {
  it('trusts a command line only with the pane nonce', () => {
    expect(only(osc(`633;E;ls -l;${NONCE}`), NONCE)).toEqual({
      type: 'command-line', commandLine: 'ls -l', trusted: true, offset: 0,
    });
    expect(only(osc('633;E;ls -l;deadbeef'), NONCE)).toMatchObject({ trusted: false });
    expect(only(osc('633;E;ls -l'), NONCE)).toMatchObject({ trusted: false });
    expect(only(osc(`633;E;ls -l;${NONCE}x`), NONCE)).toMatchObject({ trusted: false });
  });

  it('never trusts when the parser has no nonce, even an empty nonce field', () => {
    expect(only(osc(`633;E;ls;${NONCE}`))).toMatchObject({ trusted: false });
    expect(only(osc('633;E;ls;'))).toMatchObject({ trusted: false });
    expect(only(osc('633;E;ls;'), '')).toMatchObject({ trusted: false });
  });

  it('compares an escaped or non-ASCII nonce after decoding it', () => {
    expect(only(osc('633;E;ls;n\\x3bce'), 'n;ce')).toMatchObject({ trusted: true });
    expect(only(osc('633;E;ls;nönce'), 'nönce')).toMatchObject({ trusted: true });
    expect(only(osc('633;E;ls;n\\xc3\\xb6nce'), 'nönce')).toMatchObject({ trusted: true });
    expect(only(osc('633;E;ls;NONCE'), 'nonce')).toMatchObject({ trusted: false });
  });

  it('accepts an empty E (no arguments, empty line, empty line with nonce)', () => {
    expect(only(osc('633;E'), NONCE)).toMatchObject({ commandLine: '', trusted: false });
    expect(only(osc('633;E;'), NONCE)).toMatchObject({ commandLine: '', trusted: false });
    expect(only(osc(`633;E;;${NONCE}`), NONCE)).toMatchObject({ commandLine: '', trusted: true });
  });

  it('ignores fields after the nonce, as VS Code does', () => {
    expect(only(osc(`633;E;ls;${NONCE};extra`), NONCE)).toMatchObject({ commandLine: 'ls', trusted: true });
    // An unescaped ';' shifts the nonce: the result is untrusted, never a wrong trusted line.
    expect(only(osc(`633;E;echo a;b;${NONCE}`), NONCE)).toMatchObject({ commandLine: 'echo a', trusted: false });
  });
});

describe('VS Code escaping (decoded in one pass on bytes)', () => {
  it('decodes \\x3b inside a command line', () => {
    expect(commandLine('echo a\\x3b echo b')).toBe('echo a; echo b');
  });
  it('decodes an escape at index 0 and at the very end', () => {
    expect(commandLine('\\x3bls')).toBe(';ls');
    expect(commandLine('ls\\x3b')).toBe('ls;');
  });
  it('reads \\\\x41 as a backslash followed by x41', () => {
    expect(commandLine('\\\\x41')).toBe('\\x41');
    expect(commandLine('a\\\\\\\\b')).toBe('a\\\\b');
  });
  it('keeps a truncated \\x4 and other unknown escapes literally', () => {
    expect(commandLine('a\\x4')).toBe('a\\x4');
    expect(commandLine('a\\x4g')).toBe('a\\x4g');
    expect(commandLine('\\q\\n')).toBe('\\q\\n');
  });
  it('keeps a backslash at the end of a value', () => {
    expect(commandLine('dir\\')).toBe('dir\\');
    expect(commandLine('\\')).toBe('\\');
  });
  it('accepts upper-case hex and an upper-case X', () => {
    expect(commandLine('a\\x3Bb\\X3bc')).toBe('a;b;c');
  });
  it('joins multi-byte characters escaped byte by byte into UTF-8', () => {
    expect(commandLine('\\xc3\\xbc')).toBe('ü');
    expect(commandLine('cost \\xe2\\x82\\xac5')).toBe('cost €5');
    expect(commandLine('\\xf0\\x9f\\x98\\x80!')).toBe('😀!');
    // One escaped byte then one raw byte: still one character.
    const mixed = runMarkers([latin1(osc(`633;E;\\xc3\xbc;${NONCE}`))], { nonce: NONCE }).events;
    expect(mixed).toEqual([{ type: 'command-line', commandLine: 'ü', trusted: true, offset: 0 }]);
  });
  it('passes raw UTF-8 through and replaces invalid bytes with U+FFFD', () => {
    expect(commandLine('echo ünï 日本')).toBe('echo ünï 日本');
    expect(commandLine('\\xff\\xc3')).toBe('\uFFFD\uFFFD');
  });
  it('decodes control characters sent as \\xHH', () => {
    expect(commandLine('for i in 1\\x0adone\\x09x')).toBe('for i in 1\ndone\tx');
  });
});

describe('OSC 633 P: properties and cwd', () => {
  it('turns P;Cwd= into a cwd event and other keys into properties', () => {
    expect(only(osc('633;P;Cwd=/tmp/a b'))).toEqual({ type: 'cwd', cwd: '/tmp/a b', source: '633', offset: 0 });
    expect(only(osc('633;P;Cwd=/x\\x3by\\\\z'))).toMatchObject({ cwd: '/x;y\\z' });
    expect(only(osc('633;P;IsWindows=False'))).toEqual({ type: 'property', key: 'IsWindows', value: 'False', offset: 0 });
    expect(only(osc('633;P;K=a=b'))).toMatchObject({ key: 'K', value: 'a=b' });
    expect(only(osc('633;P;K='))).toMatchObject({ key: 'K', value: '' });
  });
  it('counts P without a key=value, and an empty Cwd, as malformed', () => {
    for (const bad of ['633;P', '633;P;', '633;P;NoEquals', '633;P;=v', '633;P;Cwd=']) {
      const r = parse(osc(bad));
      expect(r.events, bad).toEqual([]);
      expect(r.stats.malformed, bad).toBe(1);
    }
  });
});

describe('OSC 133 semantic prompts', () => {
  it('emits A/B/C/D with options kept', () => {
    expect(events(osc('133;A;aid=7;cl=m') + osc('133;B') + osc('133;C') + osc('133;D;1;aid=7'))).toEqual([
      { type: 'prompt-start', dialect: '133', offset: 0, options: { aid: '7', cl: 'm' } },
      { type: 'command-start', dialect: '133', offset: 19 },
      { type: 'command-executed', dialect: '133', offset: 27 },
      { type: 'command-finished', dialect: '133', exitCode: 1, offset: 35, options: { aid: '7' } },
    ]);
  });
  it('reads D without an exit code as null, also when only options follow', () => {
    expect(only(osc('133;D'))).toMatchObject({ exitCode: null });
    expect(only(osc('133;D;aid=1'))).toMatchObject({ exitCode: null, options: { aid: '1' } });
  });
  it('maps N to prompt-start and skips P and L harmlessly', () => {
    const r = parse(osc('133;N') + osc('133;P;k=i') + osc('133;L') + osc('133;Q'));
    expect(r.events).toEqual([{ type: 'prompt-start', dialect: '133', offset: 0 }]);
    expect(r.stats.malformed).toBe(0);
  });
  it('keeps kitty cmdline options as data, and a __proto__ key as a plain key', () => {
    const ev = only(osc('133;C;cmdline_url=echo%20hi;__proto__=x')) as { options: Record<string, string> };
    expect(ev.options['cmdline_url']).toBe('echo%20hi');
    expect(Object.keys(ev.options)).toEqual(['cmdline_url', '__proto__']);
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });
});

describe('cwd reports: OSC 7, 1337, 9;9', () => {
  it('percent-decodes OSC 7 file URLs and keeps the host', () => {
    expect(only(osc('7;file://box/tmp/a%20b%3Bc'))).toEqual({ type: 'cwd', cwd: '/tmp/a b;c', source: '7', host: 'box', offset: 0 });
    expect(only(osc('7;file:///tmp', ST))).toEqual({ type: 'cwd', cwd: '/tmp', source: '7', offset: 0 });
    expect(only(osc('7;FILE://h/%C3%BCn%zz%4'))).toMatchObject({ cwd: '/ün%zz%4' });
    expect(only(osc('7;kitty-shell-cwd://h/a%20b'))).toMatchObject({ cwd: '/a%20b', host: 'h' });
  });
  it('counts bad URLs as malformed', () => {
    for (const bad of ['7;http://h/p', '7;file://host', '7;file:///a%00b', '7;', '7;/plain/path']) {
      const r = parse(osc(bad));
      expect(r.events, bad).toEqual([]);
      expect(r.stats.malformed, bad).toBe(1);
    }
  });
  it('reads OSC 1337 CurrentDir, with the host from a preceding RemoteHost', () => {
    expect(only(osc('1337;CurrentDir=/srv'))).toEqual({ type: 'cwd', cwd: '/srv', source: '1337', offset: 0 });
    expect(events(osc('1337;RemoteHost=me@box') + osc('1337;CurrentDir=/srv'))).toEqual([
      { type: 'property', key: 'RemoteHost', value: 'me@box', offset: 0 },
      { type: 'cwd', cwd: '/srv', source: '1337', host: 'box', offset: 25 },
    ]);
  });
  it('skips other OSC 1337 keys without buffering or counting them', () => {
    const r = parse(osc('1337;SetMark') + osc(`1337;File=inline=1:${'A'.repeat(100_000)}`));
    expect(r.events).toEqual([]);
    expect(r.stats).toMatchObject({ malformed: 0, dropped: 0, sequences: 2 });
    expect(r.stats.peakBufferBytes).toBeLessThanOrEqual(256);
  });
  it('reads OSC 9;9 paths, quoted or not, and skips other OSC 9', () => {
    expect(only(osc('9;9;/home/me'))).toEqual({ type: 'cwd', cwd: '/home/me', source: '9', offset: 0 });
    expect(only(osc('9;9;"C:\\Users\\me"'))).toMatchObject({ cwd: 'C:\\Users\\me' });
    const r = parse(osc('9;4;1;50') + osc('9;build done') + osc('9'));
    expect(r.events).toEqual([]);
    expect(r.stats.malformed).toBe(0);
  });
});

describe('terminators, aborts and nesting', () => {
  it('gives the same events for BEL, ESC \\ and a lone ESC', () => {
    const bel = events(osc('633;D;3', BEL) + 'x');
    expect(events(osc('633;D;3', ST) + 'x')).toEqual(bel);
    expect(events(`${ESC}]633;D;3${ESC}[0mx`)).toEqual(bel);
  });
  it('aborts on CAN and SUB without an event', () => {
    const r = parse(`${ESC}]633;A\x18${ESC}]633;B\x1a${BEL}after`);
    expect(r.events).toEqual([]);
    expect(r.stats).toMatchObject({ aborted: 2, sequences: 2, malformed: 0 });
  });
  it('ends a sequence at a nested ESC ] and parses the inner one', () => {
    expect(events(`${ESC}]633;A${ESC}]633;B${BEL}`)).toEqual([
      { type: 'prompt-start', dialect: '633', offset: 0 },
      { type: 'command-start', dialect: '633', offset: 7 },
    ]);
    expect(events(`${ESC}${ESC}]633;A${BEL}`)).toEqual([{ type: 'prompt-start', dialect: '633', offset: 1 }]);
  });
  it('ignores C0 controls inside a payload, as terminals do', () => {
    expect(only(osc('633;P;Cwd=/tm\x01p\x0a'))).toMatchObject({ cwd: '/tmp' });
  });
  it('needs ESC right before ]: brackets in text and CSI are not markers', () => {
    const r = parse(`a]633;A${BEL} ${ESC}[1]633;A${BEL} [${ESC}x]633;B${BEL}`);
    expect(r.events).toEqual([]);
    expect(r.stats.sequences).toBe(0);
  });
  it('counts unknown OSCs as sequences and emits nothing for them', () => {
    const r = parse(osc('0;title') + osc('8;;http://x') + osc('') + osc('633633;A') + osc('52;c;Zm9v'));
    expect(r.events).toEqual([]);
    expect(r.stats).toMatchObject({ sequences: 5, malformed: 0, markers: 0, dialect: null });
  });
  it('discards a sequence cut off by the end of the stream (flush)', () => {
    const r = parse(`${ESC}]633;E;never ends`);
    expect(r.events).toEqual([]);
    expect(r.stats.aborted).toBe(1);
  });
});

describe('stream bookkeeping', () => {
  it('keeps offsets across chunks, including an ESC ending a chunk', () => {
    const p = createMarkerParser();
    expect(p.push(utf8('0123'))).toEqual([]);
    expect(p.push(utf8(`45${ESC}`))).toEqual([]);
    expect(p.push(utf8(`]633;A${BEL}`))).toEqual([{ type: 'prompt-start', dialect: '633', offset: 6 }]);
    expect(p.stats().bytes).toBe(14);
  });
  it('returns a shared frozen empty array when a chunk completes nothing', () => {
    const p = createMarkerParser();
    const a = p.push(utf8('plain'));
    expect(a).toEqual([]);
    expect(Object.isFrozen(a)).toBe(true);
    expect(p.push(new Uint8Array(0))).toBe(a);
  });
  it('reports the best dialect seen and how many markers (raw passthrough = 0)', () => {
    expect(parse('just text').stats).toMatchObject({ dialect: null, markers: 0 });
    expect(parse(osc('7;file:///x')).stats).toMatchObject({ dialect: null, markers: 1 });
    expect(parse(osc('133;A')).stats.dialect).toBe('133');
    expect(parse(osc('633;A') + osc('133;A')).stats.dialect).toBe('633');
    expect(parse(osc('133;A') + osc('633;A')).stats.dialect).toBe('633');
  });
  it('reset() forgets state, offsets and counters', () => {
    const p = createMarkerParser();
    p.push(utf8(`xx${osc('633;A')}${ESC}]633;E;half`));
    p.reset();
    expect(p.stats()).toMatchObject({ bytes: 0, sequences: 0, markers: 0, dialect: null });
    expect(p.push(utf8(`;${BEL}${osc('633;B')}`))).toEqual([{ type: 'command-start', dialect: '633', offset: 2 }]);
  });
  it('handles 8-bit bytes and invalid UTF-8 in text without noticing them', () => {
    const r = runMarkers([latin1(`\x80\x9d\x9c\xff]\xc3${osc('633;A')}`)]);
    expect(r.events).toEqual([{ type: 'prompt-start', dialect: '633', offset: 6 }]);
  });
  it('rejects a bad limit at construction with a message naming it', () => {
    expect(() => createMarkerParser({ limits: { maxOscPayloadBytes: 0 } })).toThrow(
      'Expected limit maxOscPayloadBytes to be a positive integer, got 0',
    );
  });
});
