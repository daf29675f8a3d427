import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { statusesAllowing } from '../../../domain/job.js';
import { JobRepository } from '../../../infrastructure/job.repository.js';
import { movedOrRefused } from '../../job-decisions.js';
import type { JobView } from '../../job-view.js';
import { RetryJobCommand } from './retry-job.command.js';

/** The statuses the aggregate allows a retry from: what the statement checks under the row lock. */
const FROM = statusesAllowing((job) => job.retry());

@CommandHandler(RetryJobCommand)
export class RetryJobHandler implements ICommandHandler<RetryJobCommand> {
  constructor(private readonly repository: JobRepository) {}

  async execute({ namespace, id }: RetryJobCommand): Promise<JobView> {
    const outcome = await this.repository.retry(namespace, id, FROM);
    return movedOrRefused(id, outcome, (job) => job.retry());
  }
}
