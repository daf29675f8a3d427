import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { JobView } from '../../job-view.js';
import { JobLifecycle } from '../../lifecycle/job-lifecycle.js';
import { movedOrRefused } from '../../refusals.js';
import { RetryJobCommand } from './retry-job.command.js';

@CommandHandler(RetryJobCommand)
export class RetryJobHandler implements ICommandHandler<RetryJobCommand> {
  constructor(private readonly lifecycle: JobLifecycle) {}

  async execute({ namespace, id }: RetryJobCommand): Promise<JobView> {
    return movedOrRefused(id, await this.lifecycle.retry(namespace, id), 'retry');
  }
}
