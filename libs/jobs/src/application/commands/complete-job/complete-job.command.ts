import { Command } from '@nestjs/cqrs';
import type { JobView } from '../../job-view.js';
import type { JobTransaction } from '../../ports/job-store.js';

/** A settled job, and whether this was a replay: the same lease had already settled it this way. */
export interface SettledJob {
  job: JobView;
  replayed: boolean;
}

/**
 * Completes a job under its lease. With `transaction` (an in-process handler's), the completion
 * runs in it and commits it: the handler's writes and the completion take effect together, or not
 * at all (the caller rolls back on a refusal).
 */
export class CompleteJobCommand extends Command<SettledJob> {
  constructor(
    readonly namespace: string,
    readonly id: string,
    readonly leaseToken: string,
    readonly result: unknown,
    readonly transaction?: JobTransaction,
  ) {
    super();
  }
}
