import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { JobLifecycle } from '../../lifecycle/job-lifecycle.js';
import { replayOrRefuse } from '../../refusals.js';
import { CompleteJobCommand, type SettledJob } from './complete-job.command.js';

@CommandHandler(CompleteJobCommand)
export class CompleteJobHandler implements ICommandHandler<CompleteJobCommand> {
  constructor(private readonly lifecycle: JobLifecycle) {}

  async execute({ namespace, id, leaseToken, result, transaction }: CompleteJobCommand): Promise<SettledJob> {
    const completion = { id, leaseToken, result };
    const completed =
      transaction === undefined
        ? await this.lifecycle.complete(namespace, completion)
        : await this.lifecycle.completeInTransaction(namespace, completion, transaction);
    if (completed !== undefined) return { job: completed, replayed: false };
    return {
      job: await replayOrRefuse(this.lifecycle, namespace, id, leaseToken, 'complete'),
      replayed: true,
    };
  }
}
