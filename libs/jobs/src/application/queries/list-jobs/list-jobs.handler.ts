import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { InvalidCursorError } from '../../../domain/job.errors.js';
import { JOB_READS, type JobReads } from '../../ports/job-reads.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { type JobPage, ListJobsQuery } from './list-jobs.query.js';

@QueryHandler(ListJobsQuery)
export class ListJobsHandler implements IQueryHandler<ListJobsQuery> {
  constructor(@Inject(JOB_READS) private readonly reads: JobReads) {}

  async execute({ input }: ListJobsQuery): Promise<JobPage> {
    const after = input.cursor === null ? null : decodeCursor(input.cursor);
    if (input.cursor !== null && after === null) throw new InvalidCursorError();
    // One extra row tells whether another page exists, without a count query.
    const rows = await this.reads.list({ ...input, after, limit: input.limit + 1 });
    const page = rows.slice(0, input.limit);
    const last = page.at(-1);
    return {
      items: page.map((row) => row.job),
      nextCursor: rows.length > input.limit && last !== undefined ? encodeCursor(last.position) : null,
    };
  }
}
