import { Query } from '@nestjs/cqrs';
import type { JobStatus } from '../../../domain/job-status.js';

/** Jobs per minute that entered a status, averaged over the last 1, 5 and 15 minutes. */
export interface PerMinute {
  '1m': number;
  '5m': number;
  '15m': number;
}

export interface QueueStats {
  queue: string;
  /** Every status, zero included, so dashboards need no special cases. */
  counts: Record<JobStatus, number>;
  /** How long the oldest due pending job has waited; null when none is waiting. */
  oldestPendingAgeSeconds: number | null;
  throughput: { completed: PerMinute; failed: PerMinute; deadLettered: PerMinute };
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

export interface JobStats {
  queues: QueueStats[];
  /** Over the most recent completed jobs (`sample` of them); null when there are none. */
  latency: { sample: number; waitSeconds: Percentiles | null; runSeconds: Percentiles | null };
}

export class GetQueueStatsQuery extends Query<JobStats> {
  constructor(readonly namespace: string) {
    super();
  }
}
