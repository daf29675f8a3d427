import { Query } from '@nestjs/cqrs';
import type { QueueMinute } from '../../ports/job-reads.js';

/** How many jobs of a queue entered completed, failed (a retry scheduled) and dead_letter in a minute. */
export type HistoryPoint = QueueMinute;

export interface QueueHistory {
  queue: string;
  /** One per minute of the window, oldest first, zeros included. */
  points: HistoryPoint[];
}

export interface StatusHistory {
  /** The window: this many whole minutes, the current one last. */
  minutes: number;
  /** By name; queues with jobs now or entries in the window. */
  queues: QueueHistory[];
}

export class GetStatusHistoryQuery extends Query<StatusHistory> {
  constructor(
    readonly namespace: string,
    readonly minutes: number,
  ) {
    super();
  }
}
