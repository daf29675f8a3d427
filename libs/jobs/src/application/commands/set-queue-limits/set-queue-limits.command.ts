import { Command } from '@nestjs/cqrs';

/** A rate limit: at most `limit` jobs started per `periodSeconds`, across the cluster. */
export interface RateLimit {
  limit: number;
  periodSeconds: number;
}

/** The limits of a queue or of one type in it; null lifts one. */
export interface QueueLimits {
  /** Jobs running at once, across every instance and REST worker. */
  concurrency: number | null;
  /** Jobs running at once with the same concurrency key (whole queues only). */
  perKey: number | null;
  rate: RateLimit | null;
}

/** Sets the limits of a queue of a namespace, or of one type in it (`type`), all at once. */
export class SetQueueLimitsCommand extends Command<void> {
  constructor(
    readonly namespace: string,
    readonly queue: string,
    readonly type: string | null,
    readonly limits: QueueLimits,
  ) {
    super();
  }
}
