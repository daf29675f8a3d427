import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { statusesAllowing } from '../../../domain/job.js';
import { JobRepository } from '../../../infrastructure/job.repository.js';
import { movedOrRefused } from '../../job-decisions.js';
import type { JobView } from '../../job-view.js';
import { CancelJobCommand } from './cancel-job.command.js';

/** The statuses the aggregate allows a cancel from: what the statement checks under the row lock. */
const FROM = statusesAllowing((job) => job.cancel());

@CommandHandler(CancelJobCommand)
export class CancelJobHandler implements ICommandHandler<CancelJobCommand> {
  constructor(private readonly repository: JobRepository) {}

  async execute({ namespace, id }: CancelJobCommand): Promise<JobView> {
    const outcome = await this.repository.cancel(namespace, id, FROM);
    return movedOrRefused(id, outcome, (job) => job.cancel());
  }
}
