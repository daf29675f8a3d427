import type { JobStatus } from './job-status.js';

/** The job does not exist (or is not visible to the caller). */
export class JobNotFoundError extends Error {
  constructor(readonly jobId: string) {
    super(`job ${jobId} not found`);
    this.name = 'JobNotFoundError';
  }
}

export type JobConflictReason = 'illegal_transition' | 'lease_mismatch' | 'lease_expired';

/** The request is well-formed but the job's current state forbids it. */
export class JobConflictError extends Error {
  constructor(
    readonly jobId: string,
    readonly reason: JobConflictReason,
    readonly currentStatus: JobStatus,
    message: string,
  ) {
    super(message);
    this.name = 'JobConflictError';
  }
}

/** An explicit idempotency key was reused with a different type, queue or payload. */
export class IdempotencyConflictError extends Error {
  constructor(
    readonly idempotencyKey: string,
    readonly existingJobId: string,
  ) {
    super(`idempotency key "${idempotencyKey}" was already used for a different job`);
    this.name = 'IdempotencyConflictError';
  }
}

/** A list cursor that this service did not issue. */
export class InvalidCursorError extends Error {
  constructor() {
    super('the cursor is not valid; use nextCursor from a previous page');
    this.name = 'InvalidCursorError';
  }
}
