import { type Decision, Job } from '../domain/job.js';
import { JobConflictError, JobNotFoundError } from '../domain/job.errors.js';
import type { GuardedMove, JobRepository } from '../infrastructure/job.repository.js';
import type { JobView } from './job-view.js';

type Decide = (job: Job) => Decision;

/**
 * A guarded move (cancel, retry) decided under the row lock: the job as moved, or the refusal the
 * aggregate gives for the state the statement found, whose status is the one that really refused
 * it (404 when there is no such job).
 */
export function movedOrRefused(id: string, outcome: GuardedMove | null, decide: Decide): JobView {
  if (outcome === null) throw new JobNotFoundError(id);
  if (outcome.job !== null) return outcome.job;
  const decision = decide(Job.rehydrate(outcome.state));
  if (!decision.ok) throw decision.error;
  throw new Error(
    `job ${id}: the statement refused a move the aggregate allows from ${outcome.state.status}`,
  );
}

/**
 * A fenced statement changed nothing. Read the job as it is now and let the aggregate say why:
 * unknown job (404) or the specific conflict (409). The statement is never retried from here.
 */
export async function explainRefusal(
  repository: JobRepository,
  namespace: string,
  id: string,
  decide: Decide,
): Promise<never> {
  const state = await repository.loadState(namespace, id);
  if (state === null) throw new JobNotFoundError(id);
  const decision = decide(Job.rehydrate(state));
  if (!decision.ok) throw decision.error;
  // Allowed now, so the job changed after the statement: say so, with the status it has now.
  throw new JobConflictError(
    id,
    'illegal_transition',
    state.status,
    'job changed concurrently; read it and try again',
  );
}
