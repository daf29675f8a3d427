import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { JobView } from '../../job-view.js';
import { JobLifecycle } from '../../lifecycle/job-lifecycle.js';
import { movedOrRefused } from '../../refusals.js';
import { CancelJobCommand } from './cancel-job.command.js';

@CommandHandler(CancelJobCommand)
export class CancelJobHandler implements ICommandHandler<CancelJobCommand> {
  constructor(private readonly lifecycle: JobLifecycle) {}

  async execute({ namespace, id }: CancelJobCommand): Promise<JobView> {
    return movedOrRefused(id, await this.lifecycle.cancel(namespace, id), 'cancel');
  }
}
