import { Job, type Decision } from '../domain/job.js';
import { JobConflictError, JobNotFoundError } from '../domain/job.errors.js';
import type { JobRepository } from '../infrastructure/job.repository.js';

/**
 * A guarded statement changed nothing. Read the job as it is now and let the aggregate say why:
 * unknown job (404) or the specific conflict (409). The statement is never retried from here.
 */
export async function explainRefusal(
  repository: JobRepository,
  namespace: string,
  id: string,
  decide: (job: Job) => Decision,
): Promise<never> {
  const state = await repository.loadState(namespace, id);
  if (state === null) throw new JobNotFoundError(id);
  const decision = decide(Job.rehydrate(state));
  if (!decision.ok) throw decision.error;
  // The rules allow it now, so the job changed between our write and this read.
  throw new JobConflictError(
    id,
    'illegal_transition',
    state.status,
    'job changed concurrently; read it and try again',
  );
}
