import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { JobClaimed, JobSettled, LeaseExpired } from '../../../domain/lifecycle.events.js';
import { JobRepository } from '../../../infrastructure/job.repository.js';
import type { ClaimedJobView } from '../../job-view.js';
import { ClaimJobCommand } from './claim-job.command.js';

@CommandHandler(ClaimJobCommand)
export class ClaimJobHandler implements ICommandHandler<ClaimJobCommand> {
  constructor(
    private readonly repository: JobRepository,
    private readonly events: EventBus,
  ) {}

  async execute({ input }: ClaimJobCommand): Promise<ClaimedJobView[]> {
    const { claimed, deadLettered, reclaimedIds } = await this.repository.claim(input);
    for (const job of claimed) {
      const reclaimed = reclaimedIds.has(job.id);
      if (reclaimed) this.events.publish(new LeaseExpired(job.queue, job.type));
      const waitSeconds =
        reclaimed || job.claimedAt === null ? null : (job.claimedAt.getTime() - job.runAt.getTime()) / 1000;
      this.events.publish(new JobClaimed(job.queue, job.type, waitSeconds));
    }
    for (const job of deadLettered) {
      this.events.publish(new LeaseExpired(job.queue, job.type));
      this.events.publish(new JobSettled(job.queue, job.type, 'dead_letter', null));
    }
    return claimed;
  }
}
