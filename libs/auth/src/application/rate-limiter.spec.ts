import { jest } from '@jest/globals';
import { loadConfig } from '#conveyor/config';
import type { Principal } from '../domain/principal.js';
import { RateLimiter } from './rate-limiter.js';

const key = (overrides: Partial<Principal> = {}): Principal => ({
  keyId: 'k1',
  name: 'test',
  namespace: 'default',
  scopes: ['jobs:submit'],
  submitPerSecond: 10,
  readPerSecond: null,
  expiresAt: null,
  ...overrides,
});

describe('RateLimiter', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  const limiter = () =>
    new RateLimiter(loadConfig({ CONVEYOR_RATE_LIMIT_SUBMIT: '1000', CONVEYOR_RATE_LIMIT_READ: '2' }));

  it('lets a burst of one second through, then refills at the rate', () => {
    const rates = limiter();
    for (let n = 0; n < 10; n += 1) expect(rates.take(key(), 'submit').allowed).toBe(true);
    expect(rates.take(key(), 'submit')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    jest.advanceTimersByTime(300);
    for (let n = 0; n < 3; n += 1) expect(rates.take(key(), 'submit').allowed).toBe(true);
    expect(rates.take(key(), 'submit').allowed).toBe(false);
  });

  it('uses the service default when the key has none, and 0 means unlimited', () => {
    const rates = limiter();
    expect(rates.take(key(), 'read').allowed).toBe(true);
    expect(rates.take(key(), 'read').allowed).toBe(true);
    expect(rates.take(key(), 'read').allowed).toBe(false);
    const unlimited = key({ keyId: 'k2', submitPerSecond: 0 });
    for (let n = 0; n < 5000; n += 1) expect(rates.take(unlimited, 'submit').allowed).toBe(true);
  });

  it('keeps keys and classes apart, and never limits lease holders', () => {
    const rates = limiter();
    for (let n = 0; n < 10; n += 1) rates.take(key(), 'submit');
    expect(rates.take(key({ keyId: 'k2' }), 'submit').allowed).toBe(true);
    for (let n = 0; n < 1000; n += 1) expect(rates.take(key(), 'none').allowed).toBe(true);
  });

  it('lets a cost above the bucket pass when it is full, and makes the key wait it off', () => {
    const rates = limiter();
    expect(rates.take(key(), 'submit', 50).allowed).toBe(true);
    // 40 tokens in debt: the next one is 4.1 s away.
    expect(rates.take(key(), 'submit')).toEqual({ allowed: false, retryAfterSeconds: 5 });
    jest.advanceTimersByTime(4100);
    expect(rates.take(key(), 'submit').allowed).toBe(true);
  });
});
