import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { JobLifecycle } from '../../lifecycle/job-lifecycle.js';
import { ReleaseJobsCommand } from './release-jobs.command.js';

@CommandHandler(ReleaseJobsCommand)
export class ReleaseJobsHandler implements ICommandHandler<ReleaseJobsCommand> {
  constructor(private readonly lifecycle: JobLifecycle) {}

  async execute({ namespace, proofs }: ReleaseJobsCommand): Promise<number> {
    return (await this.lifecycle.release(namespace, proofs)).length;
  }
}
