import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { JobNotFoundError } from '../../../domain/job.errors.js';
import { JobRepository } from '../../../infrastructure/job.repository.js';
import { GetJobQuery, type JobWithHistory } from './get-job.query.js';

@QueryHandler(GetJobQuery)
export class GetJobHandler implements IQueryHandler<GetJobQuery> {
  constructor(private readonly repository: JobRepository) {}

  async execute({ namespace, id }: GetJobQuery): Promise<JobWithHistory> {
    const job = await this.repository.get(namespace, id);
    if (job === null) throw new JobNotFoundError(id);
    return { ...job, events: await this.repository.events(id) };
  }
}
