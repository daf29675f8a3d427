import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { JOB_STATUSES, type JobStatus } from '../../../domain/job-status.js';
import { JOB_READS, type JobReads } from '../../ports/job-reads.js';
import {
  GetQueueStatsQuery,
  type JobStats,
  type Percentiles,
  type PerMinute,
  type QueueStats,
} from './get-queue-stats.query.js';

/** Completions the latency percentiles are computed over. */
const LATENCY_SAMPLE = 1000;

const zeroCounts = (): Record<JobStatus, number> =>
  Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<JobStatus, number>;
const zeroRate = (): PerMinute => ({ '1m': 0, '5m': 0, '15m': 0 });

function percentiles(values: number[] | null): Percentiles | null {
  if (values === null) return null;
  const [p50 = 0, p95 = 0, p99 = 0] = values;
  return { p50, p95, p99 };
}

@QueryHandler(GetQueueStatsQuery)
export class GetQueueStatsHandler implements IQueryHandler<GetQueueStatsQuery> {
  constructor(@Inject(JOB_READS) private readonly reads: JobReads) {}

  async execute({ namespace }: GetQueueStatsQuery): Promise<JobStats> {
    const facts = await this.reads.queueStats(namespace, LATENCY_SAMPLE);
    const byQueue = new Map<string, QueueStats>();
    const queue = (name: string): QueueStats => {
      let stats = byQueue.get(name);
      if (stats === undefined) {
        stats = {
          queue: name,
          counts: zeroCounts(),
          oldestPendingAgeSeconds: null,
          throughput: { completed: zeroRate(), failed: zeroRate(), deadLettered: zeroRate() },
        };
        byQueue.set(name, stats);
      }
      return stats;
    };
    for (const row of facts.counts) queue(row.queue).counts[row.status] = row.count;
    for (const row of facts.oldestPending) queue(row.queue).oldestPendingAgeSeconds = row.ageSeconds;
    for (const row of facts.entered) {
      const { throughput } = queue(row.queue);
      const rate =
        row.status === 'completed'
          ? throughput.completed
          : row.status === 'failed'
            ? throughput.failed
            : throughput.deadLettered;
      rate['1m'] = row.last1;
      rate['5m'] = row.last5 / 5;
      rate['15m'] = row.last15 / 15;
    }
    return {
      queues: [...byQueue.values()].sort((a, b) => (a.queue < b.queue ? -1 : a.queue > b.queue ? 1 : 0)),
      latency: {
        sample: facts.latency.sample,
        waitSeconds: percentiles(facts.latency.wait),
        runSeconds: percentiles(facts.latency.run),
      },
    };
  }
}
