import type { JobState } from './job-state.js';
import { JOB_STATUSES } from './job-status.js';
import { explainLeaseAction, explainOperatorMove } from './refusals.js';

const TOKEN = '6f1c2b9e-8a57-4f3e-9d55-0c6f3e1b2a10';
const EARLIER = '0b5e7a52-4a8e-4f0e-9a53-7e0a0a4d8f11';
const OTHER = '00000000-0000-4000-8000-000000000000';

function state(overrides: Partial<JobState> = {}): JobState {
  return {
    id: 'job-1',
    status: 'processing',
    attempts: 1,
    maxAttempts: 3,
    leaseToken: TOKEN,
    leaseExpired: false,
    due: true,
    lastLeaseToken: null,
    lastLeaseEnd: null,
    ...overrides,
  };
}

const refusal = (reason: string, currentStatus: string) => ({
  kind: 'refused',
  error: expect.objectContaining({ reason, currentStatus }) as unknown,
});

describe('explainLeaseAction', () => {
  it("tells an earlier attempt's holder its lease expired, once a later attempt has finished the job", () => {
    const finished = state({
      status: 'completed',
      attempts: 2,
      leaseToken: null,
      lastLeaseToken: 'second-attempt',
      lastLeaseEnd: 'completed',
    });
    const explanation = explainLeaseAction(finished, 'first-attempt', 'complete');
    expect(explanation).toMatchObject({ kind: 'refused', error: { reason: 'lease_expired' } });
    // On a job that only ever had one attempt, a stranger's token stays an illegal transition.
    const once = explainLeaseAction({ ...finished, attempts: 1 }, 'stranger', 'complete');
    expect(once).toMatchObject({ kind: 'refused', error: { reason: 'illegal_transition' } });
  });

  it('allows the holder of a live lease: a refused statement then means the job changed since', () => {
    for (const action of ['complete', 'fail', 'heartbeat', 'release'] as const) {
      expect(explainLeaseAction(state(), TOKEN, action)).toEqual({ kind: 'allowed' });
    }
  });

  it('tells the holder of an expired lease that it expired, whether or not the job moved on', () => {
    expect(explainLeaseAction(state({ leaseExpired: true }), TOKEN, 'complete')).toEqual(
      refusal('lease_expired', 'processing'),
    );
    // Claimed again by someone else, or reaped: its lease is recorded as the one that expired.
    const reclaimed = state({ leaseToken: OTHER, lastLeaseToken: TOKEN, lastLeaseEnd: 'expired' });
    expect(explainLeaseAction(reclaimed, TOKEN, 'complete')).toEqual(refusal('lease_expired', 'processing'));
    const reaped = state({
      status: 'failed',
      leaseToken: null,
      lastLeaseToken: TOKEN,
      lastLeaseEnd: 'expired',
    });
    expect(explainLeaseAction(reaped, TOKEN, 'heartbeat')).toEqual(refusal('lease_expired', 'failed'));
  });

  it('replays what the same lease already did, and refuses anything else it asks', () => {
    const completed = state({
      status: 'completed',
      leaseToken: null,
      lastLeaseToken: TOKEN,
      lastLeaseEnd: 'completed',
    });
    expect(explainLeaseAction(completed, TOKEN, 'complete')).toEqual({ kind: 'replay' });
    expect(explainLeaseAction(completed, TOKEN, 'fail')).toEqual(refusal('illegal_transition', 'completed'));
    expect(explainLeaseAction(completed, TOKEN, 'heartbeat')).toEqual(
      refusal('illegal_transition', 'completed'),
    );
    const failed = state({
      status: 'failed',
      leaseToken: null,
      lastLeaseToken: TOKEN,
      lastLeaseEnd: 'failed',
    });
    expect(explainLeaseAction(failed, TOKEN, 'fail')).toEqual({ kind: 'replay' });
    expect(explainLeaseAction(failed, TOKEN, 'complete')).toEqual(refusal('illegal_transition', 'failed'));
  });

  it('refuses another attempt\u2019s token: a mismatch while the job is held, else the status', () => {
    expect(
      explainLeaseAction(state({ lastLeaseToken: EARLIER, lastLeaseEnd: 'failed' }), OTHER, 'complete'),
    ).toEqual(refusal('lease_mismatch', 'processing'));
    for (const status of JOB_STATUSES.filter((s) => s !== 'processing')) {
      expect(explainLeaseAction(state({ status, leaseToken: null }), OTHER, 'fail')).toEqual(
        refusal('illegal_transition', status),
      );
    }
  });

  it('refuses a lease that handed its job back', () => {
    const released = state({
      status: 'pending',
      leaseToken: null,
      lastLeaseToken: TOKEN,
      lastLeaseEnd: 'released',
    });
    expect(explainLeaseAction(released, TOKEN, 'complete')).toEqual(refusal('illegal_transition', 'pending'));
  });
});

describe('explainOperatorMove', () => {
  it.each([
    ['cancel', 'pending', true],
    ['cancel', 'failed', true],
    ['cancel', 'processing', true],
    ['cancel', 'completed', false],
    ['retry', 'dead_letter', true],
    ['retry', 'cancelled', true],
    ['retry', 'processing', false],
    ['retry', 'failed', false],
    ['redrive', 'dead_letter', true],
    ['redrive', 'cancelled', false],
  ] as const)('%s from %s allowed: %s', (move, status, allowed) => {
    const explanation = explainOperatorMove(state({ status, leaseToken: null }), move);
    expect(explanation.kind).toBe(allowed ? 'allowed' : 'refused');
  });
});
