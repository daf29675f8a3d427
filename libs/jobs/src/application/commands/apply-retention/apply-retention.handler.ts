import { setTimeout as delay } from 'node:timers/promises';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { JobLifecycle } from '../../lifecycle/job-lifecycle.js';
import { ApplyRetentionCommand, type RetentionResult } from './apply-retention.command.js';

/** The longest pause between two batches of retention. */
const MAX_PAUSE_MS = 1000;

@CommandHandler(ApplyRetentionCommand)
export class ApplyRetentionHandler implements ICommandHandler<ApplyRetentionCommand> {
  constructor(private readonly lifecycle: JobLifecycle) {}

  async execute(command: ApplyRetentionCommand): Promise<RetentionResult> {
    const { finishedSeconds, deadLetterSeconds, batchSize } = command;
    // Small batches: short transactions and WAL bursts; the rest waits for the next run. Between
    // two batches retention pauses as long as the last one took (up to MAX_PAUSE_MS): it never
    // keeps a database backend busy more than half the time, and on a database that is busy with
    // the queue's own work (slower batches) it yields more (docs/scaling.md, "Ten million jobs").
    let pause = 0;
    const inBatches = async (batch: () => Promise<number>): Promise<number> => {
      let total = 0;
      for (let round = 0; round < command.maxBatches; round += 1) {
        if (round > 0) await delay(pause);
        const started = performance.now();
        const deleted = await batch();
        pause = Math.min(performance.now() - started, MAX_PAUSE_MS);
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
