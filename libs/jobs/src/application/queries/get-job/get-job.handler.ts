import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { attemptHistory } from '../../../domain/attempt-history.js';
import { JobNotFoundError } from '../../../domain/job.errors.js';
import { JobRepository } from '../../../infrastructure/job.repository.js';
import { GetJobQuery, type JobWithHistory } from './get-job.query.js';

@QueryHandler(GetJobQuery)
export class GetJobHandler implements IQueryHandler<GetJobQuery> {
  constructor(private readonly repository: JobRepository) {}

  async execute({ namespace, id }: GetJobQuery): Promise<JobWithHistory> {
    const found = await this.repository.getWithHistory(namespace, id);
    if (found === null) throw new JobNotFoundError(id);
    const { job, events } = found;
    return { ...job, events, attemptHistory: attemptHistory(events) };
  }
}
