import { describe, expect, it } from 'vitest';
import { canonicalJson, sealCheckpoint, sealCheckpointText, sha256Hex, verifySeal } from '../../checkpoints/canonical.js';
import { compareIds, idTimeMs, newCheckpointId } from '../../checkpoints/ids.js';
import { checkpointFileSchema, type CheckpointBody } from '../../checkpoints/schema.js';
import { sampleDraft } from './support/sample-body.js';

const body = (): CheckpointBody => ({ ...sampleDraft(), id: newCheckpointId(), createdAt: new Date().toISOString() });

describe('canonicalJson', () => {
  it('sorts keys at every depth, drops undefined, keeps array order, no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [3, { z: null, y: 'é\n' }], c: undefined })).toBe('{"a":[3,{"y":"é\\n","z":null}],"b":1}');
  });

  it('is independent of key insertion order', () => {
    expect(canonicalJson({ x: 1, y: { p: 1, q: 2 } })).toBe(canonicalJson({ y: { q: 2, p: 1 }, x: 1 }));
  });

  it('refuses values JSON cannot hold, so two bodies never share a hash by accident', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow('Expected a finite number, got NaN');
    expect(() => canonicalJson({ f: () => 1 })).toThrow('Expected a JSON value, got function');
  });
});

describe('seal', () => {
  it('seals a body that the schema accepts and verifies', () => {
    const file = sealCheckpoint(body());
    expect(checkpointFileSchema.safeParse(file).success).toBe(true);
    expect(file.sha256).toBe(sha256Hex(canonicalJson(file.body)));
    expect(verifySeal(file)).toEqual({ ok: true });
  });

  it('notices any change to the body', () => {
    const file = sealCheckpoint(body());
    const tampered = structuredClone(file);
    tampered.body.host = 'elsewhere';
    const check = verifySeal(tampered);
    expect(check.ok).toBe(false);
    expect(!check.ok && check.reason).toMatch(/^checksum mismatch: file says sha256 [0-9a-f]{12}…, body hashes to [0-9a-f]{12}…$/);
    const extraKey = { ...file, body: { ...file.body, sneaky: true } };
    expect(verifySeal(extraKey).ok).toBe(false);
  });
});

describe('ids', () => {
  it('are unique and sorted across 10000 ids made in a tight loop (many per millisecond)', () => {
    const ids = Array.from({ length: 10_000 }, () => newCheckpointId());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort(compareIds)).toEqual(ids);
  });

  // Ids are monotonic per process, so these use times later than "now".
  it('encode their time and sort by it', () => {
    const t = Date.UTC(2099, 10, 24, 9, 15, 30, 123);
    const id = newCheckpointId(t);
    expect(id).toMatch(/^20991124T091530\.123Z-[0-9a-z]+-[0-9a-z]{6}-[0-9a-f]{8}$/);
    expect(idTimeMs(id)).toBe(t);
    expect(compareIds(id, newCheckpointId(t + 1))).toBe(-1);
    expect(idTimeMs('not-an-id')).toBeNull();
  });

  it('stay in order when the clock steps back', () => {
    const a = newCheckpointId(Date.UTC(2100, 0, 1));
    const b = newCheckpointId(Date.UTC(2099, 0, 1));
    expect(compareIds(a, b)).toBe(-1);
  });
});

describe('canonicalJson key orders', () => {
  // The fast path hands JSON.stringify key-sorted objects; keys V8 may treat
  // as array indexes take the recursive path. Both must agree with a plain
  // reference implementation on any input.
  const reference = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : reference(x))).join(',')}]`;
    if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const parts = Object.keys(o)
        .sort()
        .filter((k) => o[k] !== undefined)
        .map((k) => `${JSON.stringify(k)}:${reference(o[k])}`);
      return `{${parts.join(',')}}`;
    }
    return JSON.stringify(v);
  };
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return (seed >>> 12) % n;
  };
  const KEYS = ['b', 'a', 'Z', 'é', '10', '9', '0', '_', 'aa', 'a b', '\u{1F600}', 'key\n'];
  const gen = (depth: number): unknown => {
    const kind = rnd(depth > 3 ? 4 : 6);
    if (kind === 0) return rnd(1000) - 500;
    if (kind === 1) return ['x', 'ü\t"', '', '\\'][rnd(4)];
    if (kind === 2) return [null, true, false, undefined][rnd(4)];
    if (kind === 3) return rnd(3) / 7;
    if (kind === 4) return Array.from({ length: rnd(4) }, () => gen(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = rnd(5); i > 0; i--) o[KEYS[rnd(KEYS.length)]!] = gen(depth + 1);
    return o;
  };

  it('matches a reference implementation on 2000 random values, digit keys included', () => {
    let digitKeyed = 0;
    for (let i = 0; i < 2000; i++) {
      const v = { [KEYS[rnd(KEYS.length)]!]: gen(0), [KEYS[rnd(KEYS.length)]!]: gen(1) };
      const text = JSON.stringify(v) ?? '';
      if (/"[0-9]/.test(text)) digitKeyed++;
      expect(canonicalJson(v)).toBe(reference(v));
    }
    expect(digitKeyed).toBeGreaterThan(100);
  });

  it('seals text whose body is the canonical JSON the checksum covers', () => {
    const body = { z: 1, a: { y: [2, { d: 'x', c: null }] } } as unknown as Parameters<typeof sealCheckpoint>[0];
    const { text, file } = sealCheckpointText(body);
    const parsed = JSON.parse(text) as { sha256: string; body: unknown; format: string; version: number };
    expect(text.endsWith('}\n')).toBe(true);
    expect(parsed.sha256).toBe(file.sha256);
    expect(parsed.format).toBe(file.format);
    expect(parsed.version).toBe(file.version);
    expect(verifySeal(parsed)).toEqual({ ok: true });
    expect(text).toContain(`"body":${canonicalJson(body)}}`);
  });
});
