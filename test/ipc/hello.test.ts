import { describe, expect, it } from 'vitest';
import { helloOf, incompatibility, parseHello, parseIncompatible, type ProtocolInfo } from '../../src/ipc/hello.js';

const v = (protocol: number, minCompatible: number): ProtocolInfo => ({ protocol, minCompatible, capabilities: [] });

describe('hello', () => {
  it('has exactly the shape {type, protocol, minCompatible, capabilities}', () => {
    const h = helloOf({ protocol: 2, minCompatible: 1, capabilities: ['screen'] });
    expect(Object.keys(h).sort()).toEqual(['capabilities', 'minCompatible', 'protocol', 'type']);
    expect(h).toEqual({ type: 'hello', protocol: 2, minCompatible: 1, capabilities: ['screen'] });
  });

  it('reads a newer peer\'s hello with extra fields, and refuses a malformed one', () => {
    expect(parseHello({ type: 'hello', protocol: 9, minCompatible: 2, capabilities: ['a'], shiny: true })).toEqual({ type: 'hello', protocol: 9, minCompatible: 2, capabilities: ['a'] });
    expect(parseHello({ type: 'hello', protocol: '2', minCompatible: 1, capabilities: [] })).toBeNull();
    expect(parseHello({ type: 'hello', protocol: 2, minCompatible: -1, capabilities: [] })).toBeNull();
    expect(parseHello({ type: 'hello', protocol: 2, minCompatible: 1, capabilities: [1] })).toBeNull();
    expect(parseHello({ type: 'hello', protocol: 2, minCompatible: 1 })).toBeNull();
    expect(parseHello({ type: 'ping', protocol: 2, minCompatible: 1, capabilities: [] })).toBeNull();
  });

  it('reads an incompatible frame, capping a long reason', () => {
    expect(parseIncompatible({ type: 'incompatible', protocol: 5, minCompatible: 5, reason: 'x'.repeat(900) })?.reason).toHaveLength(500);
    expect(parseIncompatible({ type: 'incompatible' })).toEqual({ type: 'incompatible', protocol: -1, minCompatible: -1, reason: 'no reason given' });
  });
});

describe('incompatibility', () => {
  it.each([
    // ours, theirs, talks?
    [v(3, 2), v(3, 2), true],
    [v(3, 2), v(2, 1), true], // an older peer we still speak to
    [v(3, 2), v(9, 3), true], // a future peer whose minimum we meet
    [v(3, 2), v(1, 1), false], // too old for us
    [v(3, 2), v(9, 4), false], // needs newer than we are
  ])('%j with %j: talks %s, and both sides agree', (ours, theirs, talks) => {
    expect(incompatibility(ours, theirs) === null).toBe(talks);
    expect(incompatibility(theirs, ours) === null).toBe(talks);
  });

  it('says which side is too old', () => {
    expect(incompatibility(v(3, 2), v(1, 1))).toMatch(/Expected protocol 2 or newer, got 1: the other side is too old/);
    expect(incompatibility(v(3, 2), v(9, 4))).toMatch(/needing 4 or newer: this tsession is too old/);
  });
});
