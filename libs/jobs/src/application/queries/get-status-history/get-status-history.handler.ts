import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { JOB_READS, type JobReads } from '../../ports/job-reads.js';
import { GetStatusHistoryQuery, type QueueHistory, type StatusHistory } from './get-status-history.query.js';

@QueryHandler(GetStatusHistoryQuery)
export class GetStatusHistoryHandler implements IQueryHandler<GetStatusHistoryQuery> {
  constructor(@Inject(JOB_READS) private readonly reads: JobReads) {}

  async execute({ namespace, minutes }: GetStatusHistoryQuery): Promise<StatusHistory> {
    const queues: QueueHistory[] = [];
    // Rows come by queue, then minute: a new name starts the next queue.
    for (const { queue, ...point } of await this.reads.statusHistory(namespace, minutes)) {
      const current = queues.at(-1);
      if (current?.queue === queue) current.points.push(point);
      else queues.push({ queue, points: [point] });
    }
    return { minutes, queues };
  }
}
