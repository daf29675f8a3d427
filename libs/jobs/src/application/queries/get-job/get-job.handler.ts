import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { attemptHistory } from '../../../domain/attempt-history.js';
import { JobNotFoundError } from '../../../domain/job.errors.js';
import { JobRepository } from '../../../infrastructure/job.repository.js';
import { GetJobQuery, type JobWithHistory } from './get-job.query.js';

@QueryHandler(GetJobQuery)
export class GetJobHandler implements IQueryHandler<GetJobQuery> {
  constructor(private readonly repository: JobRepository) {}

  async execute({ namespace, id }: GetJobQuery): Promise<JobWithHistory> {
    const job = await this.repository.get(namespace, id);
    if (job === null) throw new JobNotFoundError(id);
    const events = await this.repository.events(id);
    return { ...job, events, attemptHistory: attemptHistory(events) };
  }
}
