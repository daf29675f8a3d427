import { canonicalJson, jobFingerprint } from './fingerprint.js';

describe('canonicalJson', () => {
  it('sorts object keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('orders keys by UTF-16 code units, few or many, numeric-looking or not', () => {
    expect(canonicalJson({ z: 1, '10': 2, b: 3, '9': 4, B: 5, é: 6, '': 7 })).toBe(
      '{"":7,"10":2,"9":4,"B":5,"b":3,"z":1,"é":6}',
    );
    const keys = Array.from({ length: 40 }, (_, i) => `k${(i * 7) % 40}`);
    const many = Object.fromEntries(keys.map((key) => [key, 0]));
    expect(canonicalJson(many)).toBe(
      `{${[...keys]
        .sort()
        .map((key) => `"${key}":0`)
        .join(',')}}`,
    );
  });

  it('keeps array order, because it is meaningful', () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });

  it('escapes strings exactly like JSON', () => {
    expect(canonicalJson({ 'k"': 'line\nbreak \u2028' })).toBe(
      JSON.stringify({ 'k"': 'line\nbreak \u2028' }),
    );
  });
});

describe('jobFingerprint', () => {
  it('ignores key order in the payload', () => {
    expect(jobFingerprint('email.send', 'default', { to: 'a@b.c', subject: 'hi' })).toBe(
      jobFingerprint('email.send', 'default', { subject: 'hi', to: 'a@b.c' }),
    );
  });

  it('changes with the type, the queue or the payload', () => {
    const base = jobFingerprint('t', 'q', { n: 1 });
    expect(jobFingerprint('t2', 'q', { n: 1 })).not.toBe(base);
    expect(jobFingerprint('t', 'q2', { n: 1 })).not.toBe(base);
    expect(jobFingerprint('t', 'q', { n: 2 })).not.toBe(base);
  });

  it('keeps field boundaries: ("a|b","c") differs from ("a","b|c")', () => {
    expect(jobFingerprint('a|b', 'c', {})).not.toBe(jobFingerprint('a', 'b|c', {}));
  });

  it('is a SHA-256 hex digest', () => {
    expect(jobFingerprint('t', 'q', {})).toMatch(/^[0-9a-f]{64}$/);
  });

  it('stays the digest stored by earlier versions, so replays keep matching across upgrades', () => {
    // SHA-256 over "<bytes>:<type><bytes>:<queue><bytes>:<canonical payload>", byte lengths in UTF-8.
    expect(jobFingerprint('email.send', 'défaut', { to: 'ada@example.com', n: [1, { b: 2, a: 'ü' }] })).toBe(
      '329eb9ba4909c2b53293dc65e8f4d8d681622bc86ca4edcf28ffc5789f6de0f6',
    );
  });
});
