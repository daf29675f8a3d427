import type { LoggerService } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { JobSubmission, JobView, ParentOutcome, WorkflowSubmission, WorkflowView } from '#conveyor/jobs';

/** Isolation levels a handler's transaction may ask for (PostgreSQL's; READ UNCOMMITTED is READ COMMITTED there). */
export type IsolationLevel = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

export interface TransactionOptions {
  /** READ COMMITTED unless asked; every call of one attempt must ask for the same. */
  isolationLevel?: IsolationLevel;
}

/** Progress of an attempt: a percentage and/or a small JSON object (each kept as it was when absent). */
export interface ProgressUpdate {
  /** 0–100. */
  percent?: number;
  /** At most 4 KB of JSON. */
  data?: Record<string, unknown>;
}

/** What a handler gets besides its payload. */
export interface JobContext {
  readonly jobId: string;
  readonly type: string;
  readonly queue: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /**
   * A workflow node's dependencies, by their ref: each one's id, how it ended (completed, or
   * dead_letter / cancelled under `continue`) and its result. Empty for a job in no workflow.
   */
  readonly parents: Readonly<Record<string, ParentOutcome>>;
  /**
   * Fired on timeout, on lease loss, when the job is cancelled (reason JobCancelledError) and at
   * the end of the shutdown grace period. Pass it to
   * fetch, timers and drivers; stop promptly when it fires: the attempt no longer counts.
   */
  readonly signal: AbortSignal;
  /** Log lines carry the job id, type, queue and attempt. */
  readonly logger: LoggerService;
  /**
   * Extends the lease now (the worker also does so on its own every third of the lease).
   * Rejects with LeaseLostError if the job is no longer ours. Once the job's transaction is open
   * there is nothing to extend: the transaction holds the job.
   */
  heartbeat(): Promise<void>;
  /**
   * Reports progress, shown by GET /v1/jobs/{id}. Returns at once: reports are coalesced and
   * written at most every 300 ms (the last one wins), fenced by the lease.
   */
  progress(update: ProgressUpdate): void;
  /**
   * The job's transaction, opened on first call (docs/handlers.md, "Transactions"). Writes made
   * through it commit in the same transaction that marks the job completed: they happen exactly
   * once, or not at all if the attempt fails, times out, loses its lease or the process dies. It
   * holds the job from its first statement, so it may outlast the lease; PostgreSQL ends it if it
   * sits idle for longer than a lease. Rejects with LeaseLostError if the job is no longer ours.
   */
  transaction(options?: TransactionOptions): Promise<EntityManager>;
  /**
   * Submits a job, a batch of up to 1,000 jobs, or a workflow (anything with `nodes`), in the job's
   * transaction (opened if it is not yet): they exist if and only if this job completes, exactly
   * once, whatever happens to the process in between (docs/workflows.md, "Submitting from a
   * handler"). Validated and keyed as the REST API does: InvalidSubmissionError for what it would
   * answer 400, IdempotencyConflictError for a key held by a different job. A job whose key is held
   * by the same job is answered with that job.
   */
  submit(job: JobSubmission): Promise<JobView>;
  submit(jobs: readonly JobSubmission[]): Promise<JobView[]>;
  submit(workflow: WorkflowSubmission): Promise<WorkflowView>;
}

/** Throw it to fail the job without retries: it goes straight to the dead-letter queue. */
export class PermanentJobError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

/** The lease was lost (expired and possibly re-claimed elsewhere): this attempt must not take effect. */
export class LeaseLostError extends Error {
  constructor(jobId: string) {
    super(`lease on job ${jobId} was lost`);
    this.name = 'LeaseLostError';
  }
}

export class JobTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
    this.name = 'JobTimeoutError';
  }
}

/** The job was cancelled while it ran: the attempt no longer counts, and nothing it writes commits. */
export class JobCancelledError extends Error {
  constructor(jobId: string) {
    super(`job ${jobId} was cancelled`);
    this.name = 'JobCancelledError';
  }
}

/** The process is shutting down and the grace period is over: the job is handed back. */
export class WorkerShutdownError extends Error {
  constructor() {
    super('worker shut down before the job finished');
    this.name = 'WorkerShutdownError';
  }
}
