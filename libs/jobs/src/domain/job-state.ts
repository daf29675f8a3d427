import type { JobStatus } from './job-status.js';

/** How the last lease on a job ended, once the job is no longer held under it. */
export const LEASE_ENDS = ['completed', 'failed', 'expired', 'released', 'cancelled'] as const;
export type LeaseEnd = (typeof LEASE_ENDS)[number];

/**
 * What the explainer needs to say why a guarded statement refused a job. Time-dependent facts
 * (`leaseExpired`, `due`) are computed by PostgreSQL with now() when the state is read: the
 * application clock never decides.
 */
export interface JobState {
  readonly id: string;
  readonly status: JobStatus;
  readonly attempts: number;
  readonly maxAttempts: number;
  /** The lease the job is held under (processing only). */
  readonly leaseToken: string | null;
  readonly leaseExpired: boolean;
  readonly due: boolean;
  /** The lease the job was last held under, once that lease has ended, and how it ended. */
  readonly lastLeaseToken: string | null;
  readonly lastLeaseEnd: LeaseEnd | null;
}
