import { Command } from '@nestjs/cqrs';

export interface RetentionResult {
  finished: number;
  deadLetter: number;
  keys: number;
  /** Workflows none of whose nodes was left. */
  workflows: number;
}

/**
 * Deletes completed and cancelled jobs whose last change is older than `finishedSeconds`,
 * dead letters older than `deadLetterSeconds` (each with their history and idempotency key), and
 * idempotency keys past their window, and workflows older than `finishedSeconds` whose nodes are
 * all gone (a workflow's nodes go only once all of them have finished): in small batches, at most
 * `maxBatches` of each per call.
 */
export class ApplyRetentionCommand extends Command<RetentionResult> {
  constructor(
    readonly finishedSeconds: number,
    readonly deadLetterSeconds: number,
    readonly batchSize: number,
    readonly maxBatches: number,
  ) {
    super();
  }
}
