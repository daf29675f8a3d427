import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { JobLifecycle } from '../../lifecycle/job-lifecycle.js';
import { RedriveDeadLettersCommand } from './redrive-dead-letters.command.js';

/** Per statement: short transactions, few locks, and the workers start on the first batch at once. */
const BATCH = 1000;

@CommandHandler(RedriveDeadLettersCommand)
export class RedriveDeadLettersHandler implements ICommandHandler<RedriveDeadLettersCommand> {
  constructor(private readonly lifecycle: JobLifecycle) {}

  async execute({ filter }: RedriveDeadLettersCommand): Promise<{ redriven: number }> {
    let redriven = 0;
    for (;;) {
      const moved = await this.lifecycle.redrive(filter, BATCH);
      redriven += moved;
      // Redriven jobs are pending now, so the loop cannot pick them twice, and it ends.
      if (moved < BATCH) return { redriven };
    }
  }
}
