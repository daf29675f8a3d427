import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { JobLifecycle } from '../../lifecycle/job-lifecycle.js';
import { replayOrRefuse } from '../../refusals.js';
import type { SettledJob } from '../complete-job/complete-job.command.js';
import { FailJobCommand } from './fail-job.command.js';

@CommandHandler(FailJobCommand)
export class FailJobHandler implements ICommandHandler<FailJobCommand> {
  constructor(private readonly lifecycle: JobLifecycle) {}

  async execute({
    namespace,
    id,
    leaseToken,
    error,
    retryable,
    transaction,
  }: FailJobCommand): Promise<SettledJob> {
    const failure = { id, leaseToken, error, retryable };
    const failed =
      transaction === undefined
        ? await this.lifecycle.fail(namespace, failure)
        : await this.lifecycle.failInTransaction(namespace, failure, transaction);
    if (failed !== undefined) return { job: failed, replayed: false };
    return { job: await replayOrRefuse(this.lifecycle, namespace, id, leaseToken, 'fail'), replayed: true };
  }
}
