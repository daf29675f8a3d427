import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { JobRepository } from '../../../infrastructure/job.repository.js';
import type { ClaimedJobView } from '../../job-view.js';
import { ClaimJobCommand } from './claim-job.command.js';

@CommandHandler(ClaimJobCommand)
export class ClaimJobHandler implements ICommandHandler<ClaimJobCommand> {
  constructor(private readonly repository: JobRepository) {}

  execute({ input }: ClaimJobCommand): Promise<ClaimedJobView[]> {
    return this.repository.claim(input);
  }
}
