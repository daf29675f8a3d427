import { attemptHistory, type TransitionEvent } from './attempt-history.js';

const at = (second: number): Date => new Date(Date.UTC(2026, 10, 27, 12, 0, second));

function event(
  fromStatus: TransitionEvent['fromStatus'],
  toStatus: TransitionEvent['toStatus'],
  attempt: number,
  second: number,
  extra: Partial<TransitionEvent> = {},
): TransitionEvent {
  return { fromStatus, toStatus, attempt, workerId: 'w1', error: null, occurredAt: at(second), ...extra };
}

describe('attemptHistory', () => {
  it('has no attempts before the first claim', () => {
    expect(attemptHistory([event(null, 'pending', 0, 0)])).toEqual([]);
  });

  it('closes each attempt with its outcome, error and duration', () => {
    const attempts = attemptHistory([
      event(null, 'pending', 0, 0),
      event('pending', 'processing', 1, 1, { workerId: 'a' }),
      event('processing', 'failed', 1, 3, { workerId: 'a', error: 'boom' }),
      event('failed', 'processing', 2, 5, { workerId: 'b' }),
      event('processing', 'completed', 2, 6, { workerId: 'b' }),
    ]);
    expect(attempts).toEqual([
      {
        attempt: 1,
        workerId: 'a',
        startedAt: at(1),
        endedAt: at(3),
        durationMs: 2000,
        outcome: 'failed',
        error: 'boom',
      },
      {
        attempt: 2,
        workerId: 'b',
        startedAt: at(5),
        endedAt: at(6),
        durationMs: 1000,
        outcome: 'completed',
        error: null,
      },
    ]);
  });

  it('reads a re-claim and a reaped lease as lease_expired, and a drain hand-back as released', () => {
    const attempts = attemptHistory([
      event('pending', 'processing', 1, 1),
      event('processing', 'processing', 2, 40, { workerId: 'w2', error: 'lease expired' }),
      event('processing', 'failed', 2, 80, { error: 'lease expired' }),
      event('failed', 'processing', 3, 90),
      event('processing', 'pending', 2, 95),
      event('pending', 'processing', 3, 96),
    ]);
    expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'lease_expired'],
      [2, 'lease_expired'],
      [3, 'released'],
      [3, 'running'],
    ]);
    expect(attempts.at(-1)).toMatchObject({ endedAt: null, durationMs: null });
  });

  it('tells a permanent failure from a worker that died on its last attempt', () => {
    const permanent = attemptHistory([
      event('pending', 'processing', 1, 1),
      event('processing', 'dead_letter', 1, 2, { error: 'bad input' }),
    ]);
    const died = attemptHistory([
      event('pending', 'processing', 1, 1),
      event('processing', 'dead_letter', 1, 60, { error: 'lease expired' }),
    ]);
    expect(permanent[0]).toMatchObject({ outcome: 'dead_letter', error: 'bad input' });
    expect(died[0]).toMatchObject({ outcome: 'lease_expired', error: 'lease expired' });
  });
});
