import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { JobConflictError, JobNotFoundError } from '../../../domain/job.errors.js';
import { JobSettled } from '../../../domain/lifecycle.events.js';
import { JobRepository } from '../../../infrastructure/job.repository.js';
import { explainRefusal } from '../../job-decisions.js';
import type { JobView } from '../../job-view.js';
import { AcknowledgeJobsCommand, type AckOutcome } from './acknowledge-jobs.command.js';

/** The status a fenced complete or fail leaves; anything else would be a bug in settle.sql.ts. */
function settledOutcome(job: JobView): 'completed' | 'failed' | 'dead_letter' {
  switch (job.status) {
    case 'completed':
    case 'failed':
    case 'dead_letter':
      return job.status;
    case 'pending':
    case 'processing':
    case 'cancelled':
      throw new Error(`job ${job.id} is ${job.status} after being settled`);
  }
}

@CommandHandler(AcknowledgeJobsCommand)
export class AcknowledgeJobsHandler implements ICommandHandler<AcknowledgeJobsCommand> {
  constructor(
    private readonly repository: JobRepository,
    private readonly events: EventBus,
  ) {}

  async execute({ input }: AcknowledgeJobsCommand): Promise<AckOutcome[]> {
    const { namespace, completions, failures } = input;
    const [completed, failed] = await Promise.all([
      completions.length > 0 ? this.repository.complete(namespace, completions) : new Map<string, JobView>(),
      failures.length > 0 ? this.repository.fail(namespace, failures) : new Map<string, JobView>(),
    ]);
    for (const job of [...completed.values(), ...failed.values()]) this.events.publish(JobSettled.of(job));

    const outcome = async (
      id: string,
      settled: JobView | undefined,
      explain: () => Promise<never>,
    ): Promise<AckOutcome> => {
      if (settled !== undefined) return { id, outcome: settledOutcome(settled) };
      try {
        return await explain();
      } catch (error) {
        if (error instanceof JobNotFoundError || error instanceof JobConflictError) {
          return { id, outcome: 'refused', error };
        }
        throw error;
      }
    };
    return Promise.all([
      ...completions.map(({ id, leaseToken }) =>
        outcome(id, completed.get(id), () =>
          explainRefusal(this.repository, namespace, id, (job) => job.complete(leaseToken)),
        ),
      ),
      ...failures.map(({ id, leaseToken, retryable }) =>
        outcome(id, failed.get(id), () =>
          explainRefusal(this.repository, namespace, id, (job) => job.fail(leaseToken, retryable)),
        ),
      ),
    ]);
  }
}
