import { Job, type JobState } from './job.js';
import { JOB_STATUSES } from './job-status.js';

const TOKEN = '6f1c2b9e-8a57-4f3e-9d55-0c6f3e1b2a10';

function job(overrides: Partial<JobState> = {}): Job {
  return Job.rehydrate({
    id: 'job-1',
    status: 'processing',
    attempts: 1,
    maxAttempts: 3,
    leaseToken: TOKEN,
    leaseExpired: false,
    due: true,
    ...overrides,
  });
}

describe('Job aggregate', () => {
  describe('claim', () => {
    it('claims a pending job', () => {
      expect(job({ status: 'pending', leaseToken: null }).claim()).toEqual({ ok: true, next: 'processing' });
    });

    it('claims a failed job only once its retry time has come', () => {
      expect(job({ status: 'failed', leaseToken: null, due: true }).claim()).toEqual({
        ok: true,
        next: 'processing',
      });
      const early = job({ status: 'failed', leaseToken: null, due: false }).claim();
      expect(early.ok).toBe(false);
    });

    it('refuses a processing job whose lease is alive', () => {
      const decision = job().claim();
      expect(decision.ok).toBe(false);
      if (!decision.ok) expect(decision.error.currentStatus).toBe('processing');
    });

    it('re-claims an expired lease as a new attempt, or dead-letters it when attempts are used up', () => {
      expect(job({ leaseExpired: true, attempts: 2 }).claim()).toEqual({ ok: true, next: 'processing' });
      expect(job({ leaseExpired: true, attempts: 3 }).claim()).toEqual({ ok: true, next: 'dead_letter' });
    });

    it.each(['completed', 'dead_letter', 'cancelled'] as const)('refuses a %s job', (status) => {
      expect(job({ status, leaseToken: null }).claim().ok).toBe(false);
    });
  });

  describe('lease-holder actions', () => {
    it('completes under the current, live lease', () => {
      expect(job().complete(TOKEN)).toEqual({ ok: true, next: 'completed' });
    });

    it('refuses a wrong token with lease_mismatch', () => {
      const decision = job().complete('00000000-0000-4000-8000-000000000000');
      expect(decision).toMatchObject({ ok: false, error: { reason: 'lease_mismatch' } });
    });

    it('refuses an expired lease even with the right token (a zombie worker)', () => {
      expect(job({ leaseExpired: true }).complete(TOKEN)).toMatchObject({
        ok: false,
        error: { reason: 'lease_expired' },
      });
      expect(job({ leaseExpired: true }).heartbeat(TOKEN)).toMatchObject({
        ok: false,
        error: { reason: 'lease_expired' },
      });
    });

    it('refuses lease actions on jobs that are not processing, naming the status', () => {
      for (const status of JOB_STATUSES.filter((s) => s !== 'processing')) {
        const decision = job({ status, leaseToken: null }).fail(TOKEN, true);
        expect(decision).toMatchObject({
          ok: false,
          error: { reason: 'illegal_transition', currentStatus: status },
        });
      }
    });

    it('fails into a retry while attempts are left, else into the dead-letter queue', () => {
      expect(job({ attempts: 2 }).fail(TOKEN, true)).toEqual({ ok: true, next: 'failed' });
      expect(job({ attempts: 3 }).fail(TOKEN, true)).toEqual({ ok: true, next: 'dead_letter' });
      expect(job({ attempts: 1 }).fail(TOKEN, false)).toEqual({ ok: true, next: 'dead_letter' });
    });

    it('keeps the job processing on heartbeat and hands it back on release', () => {
      expect(job().heartbeat(TOKEN)).toEqual({ ok: true, next: 'processing' });
      expect(job().release(TOKEN)).toEqual({ ok: true, next: 'pending' });
    });
  });

  describe('cancel and retry', () => {
    it.each([
      ['pending', true],
      ['failed', true],
      ['processing', false],
      ['completed', false],
      ['dead_letter', false],
      ['cancelled', false],
    ] as const)('cancel from %s allowed: %s', (status, allowed) => {
      expect(job({ status }).cancel().ok).toBe(allowed);
    });

    it.each([
      ['dead_letter', true],
      ['cancelled', true],
      ['pending', false],
      ['processing', false],
      ['completed', false],
      ['failed', false],
    ] as const)('retry from %s allowed: %s', (status, allowed) => {
      expect(job({ status }).retry().ok).toBe(allowed);
    });
  });
});
