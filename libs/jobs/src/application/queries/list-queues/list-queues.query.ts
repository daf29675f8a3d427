import { Query } from '@nestjs/cqrs';
import type { JobStatus } from '../../../domain/job-status.js';

export interface RateLimitView {
  limit: number;
  periodSeconds: number;
  /** How long until the limit lets the next job start; 0 when one may start now. */
  nextStartInSeconds: number;
}

/** A queue of a namespace: whether it is paused, its limits, and its jobs by status. */
export interface QueueView {
  queue: string;
  /** The whole queue is paused: no claim takes its jobs. */
  paused: boolean;
  /** Types of the queue paused on their own (whatever the queue's own state). */
  pausedTypes: string[];
  /** Most of its jobs running at once across the cluster; null for no limit. */
  concurrencyLimit: number | null;
  /** Most of its jobs with one concurrency key running at once; null for no limit. */
  keyConcurrencyLimit: number | null;
  /** At most `limit` jobs started per `periodSeconds`; `nextStartInSeconds`: 0 when one may start now. */
  rateLimit: RateLimitView | null;
  /** Limits of single types of the queue. */
  typeLimits: { type: string; concurrencyLimit: number | null; rateLimit: RateLimitView | null }[];
  /** Every status, zero included. */
  counts: Record<JobStatus, number>;
  /** How long the oldest due pending job has waited; null when none is waiting. */
  oldestPendingAgeSeconds: number | null;
}

export interface QueueList {
  queues: QueueView[];
}

/** The queues of a namespace that hold jobs or have been paused, by name; or only `queue`. */
export class ListQueuesQuery extends Query<QueueList> {
  constructor(
    readonly namespace: string,
    readonly queue: string | null = null,
  ) {
    super();
  }
}
