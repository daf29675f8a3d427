import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { JOB_READS, type JobReads } from '../../ports/job-reads.js';
import { GetDatabaseTimeQuery } from './get-database-time.query.js';

@QueryHandler(GetDatabaseTimeQuery)
export class GetDatabaseTimeHandler implements IQueryHandler<GetDatabaseTimeQuery> {
  constructor(@Inject(JOB_READS) private readonly reads: JobReads) {}

  execute(): Promise<Date> {
    return this.reads.now();
  }
}
