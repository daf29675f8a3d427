import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { JobRepository } from '../../../infrastructure/job.repository.js';
import { decideAndWrite } from '../../job-decisions.js';
import type { JobView } from '../../job-view.js';
import { CancelJobCommand } from './cancel-job.command.js';

@CommandHandler(CancelJobCommand)
export class CancelJobHandler implements ICommandHandler<CancelJobCommand> {
  constructor(private readonly repository: JobRepository) {}

  execute({ namespace, id }: CancelJobCommand): Promise<JobView> {
    return decideAndWrite(this.repository, namespace, id, {
      decide: (job) => job.cancel(),
      write: (expected) => this.repository.cancel(namespace, id, expected),
    });
  }
}
