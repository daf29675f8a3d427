import { decodeCursor, encodeCursor } from './cursor.js';

const encoded = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('job list cursor', () => {
  const cursor = { createdAtMicros: 1_796_191_536_123_456, id: '0b5e7a52-4a8e-4f0e-9a53-7e0a0a4d8f11' };

  it('round-trips, keeping microseconds', () => {
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it.each([
    ['not base64 JSON', '%%%'],
    ['a JSON object', encoded({ a: 1 })],
    [
      'a timestamp text (the earlier form, and the crafted one of issue 12)',
      encoded(['2026-01-01 00:00:00+00:60', cursor.id]),
    ],
    ['a fraction of a microsecond', encoded([1.5, cursor.id])],
    ['a time before the epoch', encoded([-1, cursor.id])],
    ['a number past 2^53', encoded([2 ** 53, cursor.id])],
    ['1e400', Buffer.from(`[1e400,"${cursor.id}"]`).toString('base64url')],
    ['a bad id', encoded([cursor.createdAtMicros, 'x'])],
    ['three members', encoded([cursor.createdAtMicros, cursor.id, 1])],
  ])('rejects %s', (_label, text) => {
    expect(decodeCursor(text)).toBeNull();
  });
});
