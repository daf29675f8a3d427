import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { JobLifecycle } from '../../lifecycle/job-lifecycle.js';
import { ReapExpiredLeasesCommand } from './reap-expired-leases.command.js';

@CommandHandler(ReapExpiredLeasesCommand)
export class ReapExpiredLeasesHandler implements ICommandHandler<ReapExpiredLeasesCommand> {
  constructor(private readonly lifecycle: JobLifecycle) {}

  async execute({ limit }: ReapExpiredLeasesCommand): Promise<{ reaped: number; deadLettered: number }> {
    const reaped = await this.lifecycle.reap(limit);
    return {
      reaped: reaped.length,
      deadLettered: reaped.filter((job) => job.status === 'dead_letter').length,
    };
  }
}
