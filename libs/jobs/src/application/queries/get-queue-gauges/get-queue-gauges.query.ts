import { Query } from '@nestjs/cqrs';
import type { QueueGauges } from '../../ports/job-reads.js';

/** Depth per queue and status, and the oldest due pending job per queue, over every namespace (/metrics). */
export class GetQueueGaugesQuery extends Query<QueueGauges> {}
