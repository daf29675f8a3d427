import { jsonHazard } from './json-guard.pipe.js';

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i += 1) value = { next: value };
  return value;
}

describe('jsonHazard', () => {
  it('accepts ordinary JSON', () => {
    expect(jsonHazard({ a: [1, 'two', { three: null }], b: true })).toBeNull();
  });

  it('accepts nesting up to the limit and refuses one level more', () => {
    expect(jsonHazard(nested(64))).toBeNull();
    expect(jsonHazard(nested(65))).toMatch(/deeper than 64/);
  });

  it('survives 10,000 levels without recursion', () => {
    expect(jsonHazard(nested(10_000))).toMatch(/deeper/);
  });

  it('refuses NUL in strings and in keys, at any depth', () => {
    expect(jsonHazard({ a: ['x\u0000y'] })).toMatch(/NUL/);
    expect(jsonHazard({ 'k\u0000': 1 })).toMatch(/NUL/);
  });

  it('refuses lone surrogates, accepts pairs', () => {
    expect(jsonHazard({ a: 'emoji \ud83d\ude00' })).toBeNull();
    expect(jsonHazard({ a: 'x\ud800' })).toMatch(/well-formed/);
    expect(jsonHazard({ a: ['\udc00y'] })).toMatch(/well-formed/);
    expect(jsonHazard({ 'k\ud800': 1 })).toMatch(/well-formed/);
  });
});
