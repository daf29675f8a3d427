import { Query } from '@nestjs/cqrs';
import type { JobStatus } from '../../../domain/job-status.js';

export interface QueueStats {
  queue: string;
  /** Every status, zero included, so dashboards need no special cases. */
  counts: Record<JobStatus, number>;
  /** How long the oldest due pending job has waited; null when none is waiting. */
  oldestPendingAgeSeconds: number | null;
}

export class GetQueueStatsQuery extends Query<{ queues: QueueStats[] }> {
  constructor(readonly namespace: string) {
    super();
  }
}
