import { Command } from '@nestjs/cqrs';
import type { JobTransaction } from '../../ports/job-store.js';
import type { SettledJob } from '../complete-job/complete-job.command.js';

/**
 * The job comes back `failed` (retry scheduled at its runAt) or `dead_letter`. With `transaction`
 * (an in-process handler's, holding the job), the handler's writes are undone and the failure
 * commits in it.
 */
export class FailJobCommand extends Command<SettledJob> {
  constructor(
    readonly namespace: string,
    readonly id: string,
    readonly leaseToken: string,
    readonly error: string,
    readonly retryable: boolean,
    readonly transaction?: JobTransaction,
  ) {
    super();
  }
}
