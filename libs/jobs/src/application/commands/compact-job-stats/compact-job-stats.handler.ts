import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { JobLifecycle } from '../../lifecycle/job-lifecycle.js';
import { CompactJobStatsCommand } from './compact-job-stats.command.js';

@CommandHandler(CompactJobStatsCommand)
export class CompactJobStatsHandler implements ICommandHandler<CompactJobStatsCommand> {
  constructor(private readonly lifecycle: JobLifecycle) {}

  async execute({ prune }: CompactJobStatsCommand): Promise<number> {
    const folded = await this.lifecycle.compactStats();
    if (prune) await this.lifecycle.pruneStatusMinutes();
    return folded;
  }
}
