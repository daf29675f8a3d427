import { Permits } from './permits.js';

const never = new AbortController().signal;

describe('Permits', () => {
  it('hands out as many permits as it has, then makes callers wait their turn', async () => {
    const permits = new Permits(2);
    const first = await permits.acquire(never);
    await permits.acquire(never);
    const order: string[] = [];
    const third = permits.acquire(never).then((release) => {
      order.push('third');
      return release;
    });
    const fourth = permits.acquire(never).then((release) => {
      order.push('fourth');
      return release;
    });
    await Promise.resolve();
    expect(order).toEqual([]);
    expect(permits.waiting).toBe(2);

    first();
    first(); // a second release of the same permit frees nothing
    (await third)();
    await fourth;
    expect(order).toEqual(['third', 'fourth']);
    expect(permits.waiting).toBe(0);
  });

  it('lets a waiter give up when its signal fires, and skips it when a permit frees', async () => {
    const permits = new Permits(1);
    const held = await permits.acquire(never);
    const controller = new AbortController();
    const abandoned = permits.acquire(controller.signal);
    const patient = permits.acquire(never);
    controller.abort(new Error('timed out'));
    await expect(abandoned).rejects.toThrow('timed out');

    held();
    const release = await patient;
    release();
    // The permit is back: the next caller gets it without waiting.
    const next = permits.acquire(never);
    expect(permits.waiting).toBe(0);
    await next;
  });
});
