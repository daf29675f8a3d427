import { Injectable } from '@nestjs/common';
import { Sql } from '#conveyor/database';
import type { JobEventView, JobView, ProgressView } from '../application/job-view.js';
import { Batcher } from '../application/lifecycle/batcher.js';
import type {
  JobReads,
  ListFilter,
  ListPosition,
  QueueGauges,
  QueueOverviewFacts,
  QueueStatsFacts,
  StatusHistoryFacts,
} from '../application/ports/job-reads.js';
import type { JobStatus } from '../domain/job-status.js';
import { type JobEventTuple, type JobRow, toJobEventView, toJobView } from './job-row.js';
import { QUEUE_CONTROLS } from './sql/queues.sql.js';
import {
  DATABASE_NOW,
  GAUGE_OLDEST_PENDING,
  GAUGE_QUEUE_DEPTH,
  GET_JOBS_WITH_HISTORY,
  LATENCY_SAMPLE,
  LIST_JOBS,
  OLDEST_PENDING,
  QUEUE_COUNTS,
  QUEUE_THROUGHPUT,
  STATUS_HISTORY,
} from './sql/read.sql.js';

type JobWithHistoryFacts = { job: JobView; events: JobEventView[]; progress: ProgressView | null };

/** A read of one job waiting for the statement that reads it with others. */
interface HistoryRead {
  namespace: string;
  id: string;
  resolve: (found: JobWithHistoryFacts | null) => void;
  reject: (error: Error) => void;
}

type HistoryRow = JobRow & {
  history: JobEventTuple[];
  progress: { percent: number | null; data: Record<string, unknown> | null; updatedAt: number } | null;
};

/** The read port on PostgreSQL (sql/read.sql.ts). */
@Injectable()
export class PostgresJobReads implements JobReads {
  /**
   * Reads of single jobs go by group: those that arrive while reads are in flight share the next
   * statement (a completion of 25 awaited jobs wakes 25 waiters at once, each reading its job).
   */
  private readonly histories = new Batcher<HistoryRead>({
    batchSize: 500,
    concurrency: 4,
    write: (batch) => this.readHistories(batch),
  });

  constructor(private readonly sql: Sql) {}

  getWithHistory(namespace: string, id: string): Promise<JobWithHistoryFacts | null> {
    return new Promise((resolve, reject) => {
      this.histories.add({ namespace, id, resolve, reject });
    });
  }

  private async readHistories(batch: HistoryRead[]): Promise<void> {
    try {
      const rows = await this.sql.rows<HistoryRow>(GET_JOBS_WITH_HISTORY, [
        batch.map((read) => read.id),
        batch.map((read) => read.namespace),
      ]);
      const found = new Map(rows.map((row) => [`${row.namespace}\t${row.id}`, row]));
      for (const read of batch) {
        const row = found.get(`${read.namespace}\t${read.id}`);
        read.resolve(row === undefined ? null : withHistory(row));
      }
    } catch (error) {
      // Reads already resolved ignore it.
      for (const read of batch) read.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  async list(filter: ListFilter): Promise<{ job: JobView; position: ListPosition }[]> {
    const rows = await this.sql.rows<JobRow & { cursor_micros: string }>(LIST_JOBS, [
      filter.namespace,
      filter.status,
      filter.queue,
      filter.type,
      filter.after?.createdAtMicros ?? null,
      filter.after?.id ?? null,
      filter.limit,
      filter.errorContains,
      filter.minAgeSeconds,
      filter.maxAgeSeconds,
    ]);
    return rows.map((row) => ({
      job: toJobView(row),
      position: { createdAtMicros: Number(row.cursor_micros), id: row.id },
    }));
  }

  /** The four dashboard reads, in parallel on the pool. */
  async queueStats(namespace: string, latencySample: number): Promise<QueueStatsFacts> {
    const [counts, entered, oldestPending, [latency]] = await Promise.all([
      this.sql.rows<QueueStatsFacts['counts'][number]>(QUEUE_COUNTS, [namespace]),
      this.sql.rows<QueueStatsFacts['entered'][number]>(QUEUE_THROUGHPUT, [namespace]),
      this.sql.rows<{ queue: string; age_seconds: number }>(OLDEST_PENDING, [namespace]),
      this.sql.rows<QueueStatsFacts['latency']>(LATENCY_SAMPLE, [namespace, latencySample]),
    ]);
    return {
      counts,
      entered,
      oldestPending: oldestPending.map((row) => ({ queue: row.queue, ageSeconds: row.age_seconds })),
      latency: latency ?? { sample: 0, wait: null, run: null },
    };
  }

  async statusHistory(namespace: string, minutes: number): Promise<StatusHistoryFacts> {
    const rows = await this.sql.rows<{
      first_minute: Date;
      queue: string | null;
      minute: Date | null;
      completed: number;
      failed: number;
      dead_lettered: number;
    }>(STATUS_HISTORY, [namespace, minutes]);
    const [first] = rows;
    if (first === undefined) throw new Error('statusHistory returned no row');
    const queues: StatusHistoryFacts['queues'] = [];
    // By queue, then minute: a new name starts the next queue.
    for (const { queue, minute, completed, failed, dead_lettered } of rows) {
      if (queue === null) continue;
      if (queues.at(-1)?.queue !== queue) queues.push({ queue, minutes: [] });
      if (minute !== null)
        queues.at(-1)?.minutes.push({ minute, completed, failed, deadLettered: dead_lettered });
    }
    return { firstMinute: first.first_minute, queues };
  }

  async queueOverview(namespace: string): Promise<QueueOverviewFacts> {
    const [counts, oldestPending, controls] = await Promise.all([
      this.sql.rows<QueueOverviewFacts['counts'][number]>(QUEUE_COUNTS, [namespace]),
      this.sql.rows<{ queue: string; age_seconds: number }>(OLDEST_PENDING, [namespace]),
      this.sql.rows<{
        queue: string;
        type: string;
        paused: boolean;
        concurrency_limit: number | null;
        key_concurrency_limit: number | null;
        rate_limit: number | null;
        rate_period_seconds: number | null;
        next_start_seconds: number | null;
      }>(QUEUE_CONTROLS, [namespace]),
    ]);
    return {
      counts,
      oldestPending: oldestPending.map((row) => ({ queue: row.queue, ageSeconds: row.age_seconds })),
      controls: controls.map((row) => ({
        queue: row.queue,
        type: row.type === '' ? null : row.type,
        paused: row.paused,
        concurrencyLimit: row.concurrency_limit,
        keyConcurrencyLimit: row.key_concurrency_limit,
        rateLimit:
          row.rate_limit === null
            ? null
            : {
                limit: row.rate_limit,
                periodSeconds: row.rate_period_seconds ?? 1,
                nextStartInSeconds: row.next_start_seconds ?? 0,
              },
      })),
    };
  }

  async queueGauges(): Promise<QueueGauges> {
    const [depth, oldestPending] = await Promise.all([
      this.sql.rows<{ queue: string; status: JobStatus; count: number }>(GAUGE_QUEUE_DEPTH),
      this.sql.rows<{ queue: string; seconds: number }>(GAUGE_OLDEST_PENDING),
    ]);
    return { depth, oldestPending };
  }

  async now(): Promise<Date> {
    const [row] = await this.sql.rows<{ now: Date }>(DATABASE_NOW);
    if (row === undefined) throw new Error('SELECT now() returned no row');
    return row.now;
  }
}

function withHistory(row: HistoryRow): JobWithHistoryFacts {
  const { progress } = row;
  return {
    job: toJobView(row),
    events: row.history.map(toJobEventView),
    progress: progress === null ? null : { ...progress, updatedAt: new Date(progress.updatedAt) },
  };
}
