import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { attemptHistory } from '../../../domain/attempt-history.js';
import { JobNotFoundError } from '../../../domain/job.errors.js';
import { FINISHED_STATUSES } from '../../../domain/job-status.js';
import { JOB_READS, type JobReads } from '../../ports/job-reads.js';
import { JOB_WAITS, type JobWaits } from '../../ports/job-waits.js';
import { GetJobQuery, type JobWithHistory } from './get-job.query.js';

@QueryHandler(GetJobQuery)
export class GetJobHandler implements IQueryHandler<GetJobQuery> {
  constructor(
    @Inject(JOB_READS) private readonly reads: JobReads,
    @Inject(JOB_WAITS) private readonly waits: JobWaits,
  ) {}

  async execute({ namespace, id, waitSeconds }: GetJobQuery): Promise<JobWithHistory> {
    let job = await this.read(namespace, id);
    if (waitSeconds > 0 && !FINISHED_STATUSES.includes(job.status)) {
      await this.waits.waitFor(id, waitSeconds * 1000, async () => {
        job = await this.read(namespace, id);
        return FINISHED_STATUSES.includes(job.status);
      });
    }
    return job;
  }

  private async read(namespace: string, id: string): Promise<JobWithHistory> {
    const found = await this.reads.getWithHistory(namespace, id);
    if (found === null) throw new JobNotFoundError(id);
    const { job, events, progress } = found;
    return { ...job, events, attemptHistory: attemptHistory(events), progress };
  }
}
