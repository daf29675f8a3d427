import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { JOB_STATUSES, type JobStatus } from '../../../domain/job-status.js';
import { JobRepository } from '../../../infrastructure/job.repository.js';
import { GetQueueStatsQuery, type QueueStats } from './get-queue-stats.query.js';

const zeroCounts = (): Record<JobStatus, number> =>
  Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<JobStatus, number>;

@QueryHandler(GetQueueStatsQuery)
export class GetQueueStatsHandler implements IQueryHandler<GetQueueStatsQuery> {
  constructor(private readonly repository: JobRepository) {}

  async execute({ namespace }: GetQueueStatsQuery): Promise<{ queues: QueueStats[] }> {
    const byQueue = new Map<string, QueueStats>();
    for (const row of await this.repository.queueStats(namespace)) {
      let stats = byQueue.get(row.queue);
      if (stats === undefined) {
        stats = { queue: row.queue, counts: zeroCounts(), oldestPendingAgeSeconds: null };
        byQueue.set(row.queue, stats);
      }
      stats.counts[row.status] = row.count;
      if (row.oldest_pending_age_seconds !== null)
        stats.oldestPendingAgeSeconds = row.oldest_pending_age_seconds;
    }
    return { queues: [...byQueue.values()] };
  }
}
