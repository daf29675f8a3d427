import { JobConflictError } from './job.errors.js';
import { canTransition, JOB_STATUSES, type JobStatus } from './job-status.js';

/**
 * What the aggregate needs to decide a transition. Time-dependent facts (`leaseExpired`, `due`) are
 * computed by PostgreSQL with now() when the state is read: the application clock never decides.
 */
export interface JobState {
  readonly id: string;
  readonly status: JobStatus;
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly leaseToken: string | null;
  readonly leaseExpired: boolean;
  readonly due: boolean;
}

export type Decision =
  { readonly ok: true; readonly next: JobStatus } | { readonly ok: false; readonly error: JobConflictError };

/**
 * The job state machine. Methods return the next status or the reason it is refused; there are no
 * setters. The SQL in infrastructure/sql applies the same rules set-based (one statement for many
 * jobs); when a guarded statement changes nothing, handlers replay the request here to explain why.
 */
export class Job {
  private constructor(private readonly state: JobState) {}

  static rehydrate(state: JobState): Job {
    return new Job(state);
  }

  claim(): Decision {
    const { status, leaseExpired, due, attempts, maxAttempts } = this.state;
    switch (status) {
      case 'pending':
        return this.move('processing');
      case 'failed':
        return due
          ? this.move('processing')
          : this.refuse('illegal_transition', 'job is waiting for its retry time');
      case 'processing':
        if (!leaseExpired) return this.refuse('illegal_transition', 'job is leased to another worker');
        // Attempts are counted at claim time: a worker that died mid-attempt used one up.
        return this.move(attempts >= maxAttempts ? 'dead_letter' : 'processing');
      case 'completed':
      case 'dead_letter':
      case 'cancelled':
        return this.move('processing');
    }
  }

  complete(leaseToken: string): Decision {
    return this.withLease(leaseToken, () => this.move('completed'));
  }

  fail(leaseToken: string, retryable: boolean): Decision {
    const { attempts, maxAttempts } = this.state;
    return this.withLease(leaseToken, () =>
      this.move(retryable && attempts < maxAttempts ? 'failed' : 'dead_letter'),
    );
  }

  heartbeat(leaseToken: string): Decision {
    return this.withLease(leaseToken, () => ({ ok: true, next: 'processing' }));
  }

  /** A draining worker hands the job back; the attempt is not counted. */
  release(leaseToken: string): Decision {
    return this.withLease(leaseToken, () => this.move('pending'));
  }

  cancel(): Decision {
    return this.move('cancelled');
  }

  /** Manual retry of a dead-lettered or cancelled job, with a fresh attempt budget. */
  retry(): Decision {
    // processing -> pending is legal too, but only as a lease holder's release, never as a retry.
    const { status } = this.state;
    if (status !== 'dead_letter' && status !== 'cancelled') {
      return this.refuse(
        'illegal_transition',
        `only dead-lettered or cancelled jobs can be retried, this one is ${status}`,
      );
    }
    return this.move('pending');
  }

  /** Lease-holder actions: the job must be processing, under this token, and the lease alive. */
  private withLease(leaseToken: string, action: () => Decision): Decision {
    const { status, leaseToken: current, leaseExpired } = this.state;
    if (status !== 'processing') return this.refuse('illegal_transition', `job is ${status}, not processing`);
    if (current !== leaseToken)
      return this.refuse('lease_mismatch', 'lease token does not match the current lease');
    if (leaseExpired) return this.refuse('lease_expired', 'lease has expired');
    return action();
  }

  private move(next: JobStatus): Decision {
    if (canTransition(this.state.status, next)) return { ok: true, next };
    return this.refuse('illegal_transition', `cannot move a ${this.state.status} job to ${next}`);
  }

  private refuse(reason: JobConflictError['reason'], message: string): Decision {
    return { ok: false, error: new JobConflictError(this.state.id, reason, this.state.status, message) };
  }
}

/**
 * The statuses from which `decide` lets a job move when lease, attempts and schedule do not matter
 * (cancel, retry): the aggregate's rule as a list a guarded SQL statement can check.
 */
export function statusesAllowing(decide: (job: Job) => Decision): JobStatus[] {
  return JOB_STATUSES.filter(
    (status) =>
      decide(
        Job.rehydrate({
          id: '',
          status,
          attempts: 0,
          maxAttempts: 1,
          leaseToken: null,
          leaseExpired: false,
          due: true,
        }),
      ).ok,
  );
}
