import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { JOB_READS, type JobReads } from '../../ports/job-reads.js';
import { GetStatusHistoryQuery, type HistoryPoint, type StatusHistory } from './get-status-history.query.js';

const MINUTE_MS = 60_000;

@QueryHandler(GetStatusHistoryQuery)
export class GetStatusHistoryHandler implements IQueryHandler<GetStatusHistoryQuery> {
  constructor(@Inject(JOB_READS) private readonly reads: JobReads) {}

  async execute({ namespace, minutes }: GetStatusHistoryQuery): Promise<StatusHistory> {
    const { firstMinute, queues } = await this.reads.statusHistory(namespace, minutes);
    const start = firstMinute.getTime();
    return {
      minutes,
      queues: queues.map(({ queue, minutes: entered }) => {
        // Whole minutes are 60 s apart in every time zone: the window's are start + i minutes.
        const points: HistoryPoint[] = Array.from({ length: minutes }, (_, i) => ({
          minute: new Date(start + i * MINUTE_MS),
          completed: 0,
          failed: 0,
          deadLettered: 0,
        }));
        for (const point of entered) points[(point.minute.getTime() - start) / MINUTE_MS] = point;
        return { queue, points };
      }),
    };
  }
}
