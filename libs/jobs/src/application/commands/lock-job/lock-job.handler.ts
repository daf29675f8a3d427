import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { JobLifecycle } from '../../lifecycle/job-lifecycle.js';
import { replayOrRefuse } from '../../refusals.js';
import { LockJobCommand } from './lock-job.command.js';

@CommandHandler(LockJobCommand)
export class LockJobHandler implements ICommandHandler<LockJobCommand> {
  constructor(private readonly lifecycle: JobLifecycle) {}

  async execute({ namespace, id, leaseToken, transaction }: LockJobCommand): Promise<void> {
    if (await this.lifecycle.lock(namespace, { id, leaseToken }, transaction)) return;
    await replayOrRefuse(this.lifecycle, namespace, id, leaseToken, 'lock');
    // A lock is never a replay: the explainer refuses one on a lease that has ended.
    throw new Error(`job ${id}: a refused lock was explained as a replay`);
  }
}
