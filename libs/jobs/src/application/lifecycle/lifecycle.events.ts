import type { IEvent } from '@nestjs/cqrs';
import type { JobView } from '../job-view.js';

/**
 * Published on the in-process EventBus by the lifecycle (job-lifecycle.ts), and only there, after
 * the change committed. For reactions that may be lost (metrics); anything that must happen is
 * written in the job's own transaction instead.
 */

export class JobSubmitted implements IEvent {
  constructor(
    readonly queue: string,
    readonly type: string,
    /** true: the idempotency key was taken, the original job was returned. */
    readonly deduplicated: boolean,
    /** How many such submits (a batch submit publishes one event per queue, type and outcome). */
    readonly count = 1,
  ) {}
}

export class JobClaimed implements IEvent {
  constructor(
    readonly queue: string,
    readonly type: string,
    /** From runAt to the claim, by the database clock; null for a re-claim after an expired lease. */
    readonly waitSeconds: number | null,
  ) {}
}

export type SettleOutcome = 'completed' | 'failed' | 'dead_letter';

export class JobSettled implements IEvent {
  constructor(
    readonly queue: string,
    readonly type: string,
    readonly outcome: SettleOutcome,
    /** From the claim to the outcome, by the database clock; null when the attempt ended by expiry. */
    readonly runSeconds: number | null,
  ) {}

  /** For a job as a complete or fail statement returned it. */
  static of(job: JobView): JobSettled {
    const outcome: SettleOutcome =
      job.status === 'completed' ? 'completed' : job.status === 'dead_letter' ? 'dead_letter' : 'failed';
    const runSeconds =
      job.claimedAt === null ? null : (job.updatedAt.getTime() - job.claimedAt.getTime()) / 1000;
    return new JobSettled(job.queue, job.type, outcome, runSeconds);
  }
}

export class LeaseExpired implements IEvent {
  constructor(
    readonly queue: string,
    readonly type: string,
  ) {}
}
