import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { JOB_READS, type JobReads, type QueueGauges } from '../../ports/job-reads.js';
import { GetQueueGaugesQuery } from './get-queue-gauges.query.js';

@QueryHandler(GetQueueGaugesQuery)
export class GetQueueGaugesHandler implements IQueryHandler<GetQueueGaugesQuery> {
  constructor(@Inject(JOB_READS) private readonly reads: JobReads) {}

  execute(): Promise<QueueGauges> {
    return this.reads.queueGauges();
  }
}
