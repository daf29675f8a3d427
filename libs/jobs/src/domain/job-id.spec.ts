import { jest } from '@jest/globals';
import { newJobId } from './job-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The Unix milliseconds in a UUIDv7's first 48 bits. */
const msOf = (id: string): number => parseInt(id.slice(0, 8) + id.slice(9, 13), 16);

describe('newJobId', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('is a UUIDv7 (version 7, RFC 9562 variant) carrying the current time', () => {
    jest.useFakeTimers({ now: Date.UTC(2026, 11, 3, 12, 0, 0, 123) });
    const id = newJobId();
    expect(id).toMatch(UUID_V7);
    expect(msOf(id)).toBe(Date.UTC(2026, 11, 3, 12, 0, 0, 123));
  });

  it('sorts by creation time across milliseconds, as text and as PostgreSQL compares uuids', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const earlier = Array.from({ length: 100 }, () => newJobId());
    jest.setSystemTime(1_000_001);
    const later = Array.from({ length: 100 }, () => newJobId());
    expect([...later, ...earlier].sort()).toEqual([...[...earlier].sort(), ...[...later].sort()]);
  });

  it('does not repeat within a millisecond', () => {
    jest.useFakeTimers({ now: 5_000 });
    const ids = new Set(Array.from({ length: 10_000 }, () => newJobId()));
    expect(ids.size).toBe(10_000);
    for (const id of ids) expect(id).toMatch(UUID_V7);
  });
});
