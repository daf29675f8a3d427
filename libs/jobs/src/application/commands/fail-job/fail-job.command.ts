import { Command } from '@nestjs/cqrs';
import type { SettledJob } from '../complete-job/complete-job.command.js';

/** The job comes back `failed` (retry scheduled at its runAt) or `dead_letter`. */
export class FailJobCommand extends Command<SettledJob> {
  constructor(
    readonly namespace: string,
    readonly id: string,
    readonly leaseToken: string,
    readonly error: string,
    readonly retryable: boolean,
  ) {
    super();
  }
}
