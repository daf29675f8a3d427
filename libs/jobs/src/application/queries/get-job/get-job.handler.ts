import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { attemptHistory } from '../../../domain/attempt-history.js';
import { JobNotFoundError } from '../../../domain/job.errors.js';
import { JOB_READS, type JobReads } from '../../ports/job-reads.js';
import { GetJobQuery, type JobWithHistory } from './get-job.query.js';

@QueryHandler(GetJobQuery)
export class GetJobHandler implements IQueryHandler<GetJobQuery> {
  constructor(@Inject(JOB_READS) private readonly reads: JobReads) {}

  async execute({ namespace, id }: GetJobQuery): Promise<JobWithHistory> {
    const found = await this.reads.getWithHistory(namespace, id);
    if (found === null) throw new JobNotFoundError(id);
    const { job, events, progress } = found;
    return { ...job, events, attemptHistory: attemptHistory(events), progress };
  }
}
