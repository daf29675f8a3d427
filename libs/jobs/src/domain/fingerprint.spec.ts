import { canonicalJson, jobFingerprint } from './fingerprint.js';

describe('canonicalJson', () => {
  it('sorts object keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
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
});
