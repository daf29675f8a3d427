import { Job, type Decision } from '../domain/job.js';
import { JobConflictError, JobNotFoundError } from '../domain/job.errors.js';
import type { JobState } from '../domain/job.js';
import type { JobStatus } from '../domain/job-status.js';
import type { JobRepository } from '../infrastructure/job.repository.js';
import type { JobView } from './job-view.js';

type Decide = (job: Job) => Decision;

/** Reads the job as it is now and asks the aggregate; throws 404 or the specific 409. */
async function loadAndDecide(
  repository: JobRepository,
  namespace: string,
  id: string,
  decide: Decide,
): Promise<JobState> {
  const state = await repository.loadState(namespace, id);
  if (state === null) throw new JobNotFoundError(id);
  const decision = decide(Job.rehydrate(state));
  if (!decision.ok) throw decision.error;
  return state;
}

/** The rules allowed the change, but the guarded write found the job moved on meanwhile. */
function changedConcurrently(id: string, status: JobStatus): JobConflictError {
  return new JobConflictError(
    id,
    'illegal_transition',
    status,
    'job changed concurrently; read it and try again',
  );
}

/**
 * Read the job, let the aggregate decide, then write guarded by the status that was read. If the
 * job moved on in between, the write matches no row and the caller gets 409, never an overwrite.
 */
export async function decideAndWrite(
  repository: JobRepository,
  namespace: string,
  id: string,
  steps: { decide: Decide; write: (expected: JobStatus) => Promise<JobView | null> },
): Promise<JobView> {
  const state = await loadAndDecide(repository, namespace, id, steps.decide);
  const written = await steps.write(state.status);
  if (written !== null) return written;
  throw changedConcurrently(id, state.status);
}

/**
 * A guarded statement changed nothing. Read the job as it is now and let the aggregate say why:
 * unknown job (404) or the specific conflict (409). The statement is never retried from here.
 */
export async function explainRefusal(
  repository: JobRepository,
  namespace: string,
  id: string,
  decide: Decide,
): Promise<never> {
  const state = await loadAndDecide(repository, namespace, id, decide);
  throw changedConcurrently(id, state.status);
}
