import { decodeCursor, encodeCursor } from './cursor.js';

describe('job list cursor', () => {
  const cursor = { createdAt: '2026-11-27 23:59:01.123456+00', id: '0b5e7a52-4a8e-4f0e-9a53-7e0a0a4d8f11' };

  it('round-trips, keeping microseconds', () => {
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it.each([
    ['not base64 JSON', '%%%'],
    ['a JSON object', Buffer.from('{"a":1}').toString('base64url')],
    [
      'a bad timestamp',
      Buffer.from(JSON.stringify(["2026-11-27'; DROP TABLE jobs; --", cursor.id])).toString('base64url'),
    ],
    ['a bad id', Buffer.from(JSON.stringify([cursor.createdAt, 'x'])).toString('base64url')],
  ])('rejects %s', (_label, text) => {
    expect(decodeCursor(text)).toBeNull();
  });
});
