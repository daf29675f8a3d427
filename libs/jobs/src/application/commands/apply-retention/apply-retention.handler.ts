import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { JobLifecycle } from '../../lifecycle/job-lifecycle.js';
import { ApplyRetentionCommand, type RetentionResult } from './apply-retention.command.js';

@CommandHandler(ApplyRetentionCommand)
export class ApplyRetentionHandler implements ICommandHandler<ApplyRetentionCommand> {
  constructor(private readonly lifecycle: JobLifecycle) {}

  async execute(command: ApplyRetentionCommand): Promise<RetentionResult> {
    const { finishedSeconds, deadLetterSeconds, batchSize } = command;
    // Small batches: short transactions and WAL bursts; the rest waits for the next run.
    const inBatches = async (batch: () => Promise<number>): Promise<number> => {
      let total = 0;
      for (let round = 0; round < command.maxBatches; round += 1) {
        const deleted = await batch();
        total += deleted;
        if (deleted < batchSize) break;
      }
      return total;
    };
    return {
      finished: await inBatches(() =>
        this.lifecycle.deleteFinished(['completed', 'cancelled'], finishedSeconds, batchSize),
      ),
      deadLetter: await inBatches(() =>
        this.lifecycle.deleteFinished(['dead_letter'], deadLetterSeconds, batchSize),
      ),
      keys: await inBatches(() => this.lifecycle.deleteExpiredKeys(batchSize)),
      workflows: await inBatches(() => this.lifecycle.deleteEmptyWorkflows(finishedSeconds, batchSize)),
    };
  }
}
