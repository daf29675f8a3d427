import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ClaimedJobView } from '../../job-view.js';
import { JobLifecycle } from '../../lifecycle/job-lifecycle.js';
import { ClaimJobCommand } from './claim-job.command.js';

@CommandHandler(ClaimJobCommand)
export class ClaimJobHandler implements ICommandHandler<ClaimJobCommand> {
  constructor(private readonly lifecycle: JobLifecycle) {}

  execute({ input }: ClaimJobCommand): Promise<ClaimedJobView[]> {
    return this.lifecycle.claim(input);
  }
}
