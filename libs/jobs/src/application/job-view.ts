import type { BackoffPolicy } from '../domain/backoff.js';
import type { JobStatus } from '../domain/job-status.js';

/** A job as clients see it. Serialised as JSON by the HTTP layer (dates as ISO 8601). */
/** The last progress a job's lease holder reported. */
export interface ProgressView {
  /** 0–100; null when only data was reported. */
  percent: number | null;
  data: Record<string, unknown> | null;
  updatedAt: Date;
}

export interface JobView {
  id: string;
  namespace: string;
  type: string;
  queue: string;
  status: JobStatus;
  payload: unknown;
  priority: number;
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  backoff: BackoffPolicy;
  idempotencyKey: string;
  lastError: string | null;
  result: unknown;
  workerId: string | null;
  leaseExpiresAt: Date | null;
  /** When the current or last attempt was claimed. */
  claimedAt: Date | null;
  /** W3C trace context of the submit: a worker continues this trace when it runs the job. */
  traceparent: string | null;
  /** Whose job this is for per-key concurrency limits; null when none. */
  concurrencyKey: string | null;
  /** Where the outcome is POSTed when the job finishes; null when nowhere. */
  callbackUrl: string | null;
  /** The workflow the job is a node of, and its reference there; null when in none. */
  workflowId: string | null;
  workflowRef: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A job handed to a worker: the token is the worker's proof of ownership for this attempt. */
export interface ClaimedJobView extends JobView {
  leaseToken: string;
  leaseExpiresAt: Date;
  /**
   * A workflow node's dependencies, by their reference: how each ended and its result. Empty for a
   * job in no workflow, or one without dependencies.
   */
  parents: Record<string, ParentOutcome>;
}

/** One dependency of a claimed workflow node, as it ended (completed, or dead_letter / cancelled under `continue`). */
export interface ParentOutcome {
  id: string;
  status: JobStatus;
  result: unknown;
}

export type { TransitionEvent as JobEventView } from '../domain/attempt-history.js';
