import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import {
  IdempotencyConflictError,
  InvalidBatchError,
  InvalidJobFieldError,
  InvalidPayloadError,
  JobRefusedError,
  NamespaceFullError,
  UnknownJobTypeError,
} from '../../../domain/job.errors.js';
import { JobSubmitted } from '../../../domain/lifecycle.events.js';
import type { NewJob } from '../../../infrastructure/job.repository.js';
import { SubmitGroupCommitter } from '../../../infrastructure/submit-group-committer.js';
import { currentTraceparent, NewJobs } from '../../new-jobs.js';
import { type BatchItemOutcome, SubmitJobsCommand } from './submit-jobs.command.js';

const isInputError = (error: unknown): error is Error =>
  error instanceof InvalidPayloadError ||
  error instanceof UnknownJobTypeError ||
  error instanceof InvalidJobFieldError;

@CommandHandler(SubmitJobsCommand)
export class SubmitJobsHandler implements ICommandHandler<SubmitJobsCommand> {
  constructor(
    private readonly newJobs: NewJobs,
    private readonly committer: SubmitGroupCommitter,
    private readonly events: EventBus,
  ) {}

  async execute({ inputs }: SubmitJobsCommand): Promise<BatchItemOutcome[]> {
    const traceparent = currentTraceparent();
    const prepared: NewJob[] = [];
    const invalid: { index: number; error: Error }[] = [];
    inputs.forEach((input, index) => {
      try {
        prepared.push(this.newJobs.prepare(input, traceparent));
      } catch (error) {
        if (!isInputError(error)) throw error;
        invalid.push({ index, error });
      }
    });
    if (invalid.length > 0) throw new InvalidBatchError(invalid);

    // All of them join the group commit at once: a batch of 1,000 is two INSERTs of 500.
    const results = await this.committer.submitMany(prepared);
    // One event per queue, type and outcome, not per job: a thousand events cost more than the insert.
    const counts = new Map<string, JobSubmitted>();
    const outcomes = results.map((result): BatchItemOutcome => {
      if (result.ok) {
        const { created, job } = result.outcome;
        const key = `${job.queue}\u0000${job.type}\u0000${String(created)}`;
        counts.set(key, new JobSubmitted(job.queue, job.type, !created, (counts.get(key)?.count ?? 0) + 1));
        return { outcome: created ? 'created' : 'replayed', job };
      }
      const { error } = result;
      if (
        error instanceof IdempotencyConflictError ||
        error instanceof NamespaceFullError ||
        error instanceof JobRefusedError
      ) {
        return { outcome: 'refused', error };
      }
      throw error;
    });
    for (const event of counts.values()) this.events.publish(event);
    return outcomes;
  }
}
