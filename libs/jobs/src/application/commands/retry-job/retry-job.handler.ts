import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { JobRepository } from '../../../infrastructure/job.repository.js';
import { decideAndWrite } from '../../job-decisions.js';
import type { JobView } from '../../job-view.js';
import { RetryJobCommand } from './retry-job.command.js';

@CommandHandler(RetryJobCommand)
export class RetryJobHandler implements ICommandHandler<RetryJobCommand> {
  constructor(private readonly repository: JobRepository) {}

  execute({ namespace, id }: RetryJobCommand): Promise<JobView> {
    return decideAndWrite(this.repository, namespace, id, {
      decide: (job) => job.retry(),
      write: (expected) => this.repository.retry(namespace, id, expected),
    });
  }
}
