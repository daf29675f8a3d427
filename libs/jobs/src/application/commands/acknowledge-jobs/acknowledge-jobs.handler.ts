import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { JobConflictError, JobNotFoundError } from '../../../domain/job.errors.js';
import type { LeaseAction } from '../../../domain/refusals.js';
import type { JobView } from '../../job-view.js';
import { JobLifecycle } from '../../lifecycle/job-lifecycle.js';
import { replayOrRefuse } from '../../refusals.js';
import { AcknowledgeJobsCommand, type AckOutcome } from './acknowledge-jobs.command.js';

/** The status a settled job is in; anything else would be a bug in settle.sql.ts. */
function settledOutcome(job: JobView): 'completed' | 'failed' | 'dead_letter' {
  switch (job.status) {
    case 'completed':
    case 'failed':
    case 'dead_letter':
      return job.status;
    case 'waiting':
    case 'pending':
    case 'processing':
    case 'cancelled':
      throw new Error(`job ${job.id} is ${job.status} after being settled`);
  }
}

@CommandHandler(AcknowledgeJobsCommand)
export class AcknowledgeJobsHandler implements ICommandHandler<AcknowledgeJobsCommand> {
  constructor(private readonly lifecycle: JobLifecycle) {}

  async execute({ input }: AcknowledgeJobsCommand): Promise<AckOutcome[]> {
    const { namespace, completions, failures } = input;
    const settled = await this.lifecycle.settleMany(namespace, completions, failures);
    const outcome = async (id: string, leaseToken: string, action: LeaseAction): Promise<AckOutcome> => {
      const job = settled.get(id);
      if (job !== undefined) return { id, outcome: settledOutcome(job), replayed: false };
      try {
        const replayed = await replayOrRefuse(this.lifecycle, namespace, id, leaseToken, action);
        // A job failed with a retry may have moved on since (claimed again): it was `failed`.
        const now = replayed.status;
        const was =
          now === 'completed' || now === 'dead_letter' || action === 'complete'
            ? settledOutcome(replayed)
            : 'failed';
        return { id, outcome: was, replayed: true };
      } catch (error) {
        if (error instanceof JobNotFoundError || error instanceof JobConflictError) {
          return { id, outcome: 'refused', error };
        }
        throw error;
      }
    };
    return Promise.all([
      ...completions.map(({ id, leaseToken }) => outcome(id, leaseToken, 'complete')),
      ...failures.map(({ id, leaseToken }) => outcome(id, leaseToken, 'fail')),
    ]);
  }
}
