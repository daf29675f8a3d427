import type { JobStatus } from '../../domain/job-status.js';
import type { JobEventView, JobView, ProgressView } from '../job-view.js';
import type { OutcomeFilter } from './job-store.js';

/**
 * The read port: what the queries show (a job and its history, pages of jobs, statistics, the
 * gauges of /metrics). Its adapter (infrastructure/postgres-job-reads.ts) reads; it never writes.
 */
export const JOB_READS = Symbol('JOB_READS');

/** Keyset position after a job of a list: its creation in whole microseconds since the epoch, and its id. */
export interface ListPosition {
  createdAtMicros: number;
  id: string;
}

export interface ListFilter extends OutcomeFilter {
  namespace: string;
  status: JobStatus | null;
  queue: string | null;
  type: string | null;
  after: ListPosition | null;
  limit: number;
}

/** The raw material of GET /v1/stats, per queue. */
export interface QueueStatsFacts {
  counts: { queue: string; status: JobStatus; count: number }[];
  /** Jobs that entered a status in the last 1, 5 and 15 minutes. */
  entered: { queue: string; status: JobStatus; last1: number; last5: number; last15: number }[];
  oldestPending: { queue: string; ageSeconds: number }[];
  /** Percentiles p50, p95, p99 over the last completions; null when there are none. */
  latency: { sample: number; wait: number[] | null; run: number[] | null };
}

/** How many jobs of a queue entered each finishing status in one minute. */
export interface QueueMinute {
  /** The minute's first instant, by the database clock. */
  minute: Date;
  completed: number;
  /** Failed attempts with a retry scheduled. */
  failed: number;
  deadLettered: number;
}

/** The raw material of GET /v1/stats/history. */
export interface StatusHistoryFacts {
  /** The first of the window's whole minutes, by the database clock; the current minute is the last. */
  firstMinute: Date;
  /** By name: each queue with the minutes of the window that saw entries, oldest first. */
  queues: { queue: string; minutes: QueueMinute[] }[];
}

/** The raw material of GET /v1/queues. */
export interface QueueOverviewFacts {
  counts: QueueStatsFacts['counts'];
  oldestPending: QueueStatsFacts['oldestPending'];
  /** The controls of whole queues (type null) and of types in them: paused, limits. */
  controls: {
    queue: string;
    type: string | null;
    paused: boolean;
    concurrencyLimit: number | null;
    keyConcurrencyLimit: number | null;
    rateLimit: { limit: number; periodSeconds: number; nextStartInSeconds: number } | null;
  }[];
}

/** What /metrics shows of the database, over every namespace. */
export interface QueueGauges {
  depth: { queue: string; status: JobStatus; count: number }[];
  oldestPending: { queue: string; seconds: number }[];
}

export interface JobReads {
  /** The job and every transition it made, oldest first, as of one moment; null when not there. */
  getWithHistory(
    namespace: string,
    id: string,
  ): Promise<{ job: JobView; events: JobEventView[]; progress: ProgressView | null } | null>;
  /** Newest first, each with its keyset position. */
  list(filter: ListFilter): Promise<{ job: JobView; position: ListPosition }[]>;
  queueStats(namespace: string, latencySample: number): Promise<QueueStatsFacts>;
  /** What entered completed, failed and dead_letter in the last `minutes` whole minutes. */
  statusHistory(namespace: string, minutes: number): Promise<StatusHistoryFacts>;
  queueOverview(namespace: string): Promise<QueueOverviewFacts>;
  queueGauges(): Promise<QueueGauges>;
  /** The database clock, for decisions made in the application (cron slots). */
  now(): Promise<Date>;
}
