import { Job, type Decision } from '../domain/job.js';
import { JobConflictError, JobNotFoundError } from '../domain/job.errors.js';
import type { JobStatus } from '../domain/job-status.js';
import type { JobRepository } from '../infrastructure/job.repository.js';
import type { JobView } from './job-view.js';

/**
 * Read the job, let the aggregate decide, then write guarded by the status that was read. If the
 * job moved on in between, the write matches no row and the caller gets 409, never an overwrite.
 */
export async function decideAndWrite(
  repository: JobRepository,
  namespace: string,
  id: string,
  steps: { decide: (job: Job) => Decision; write: (expected: JobStatus) => Promise<JobView | null> },
): Promise<JobView> {
  const state = await repository.loadState(namespace, id);
  if (state === null) throw new JobNotFoundError(id);
  const decision = steps.decide(Job.rehydrate(state));
  if (!decision.ok) throw decision.error;
  const written = await steps.write(state.status);
  if (written !== null) return written;
  throw new JobConflictError(
    id,
    'illegal_transition',
    state.status,
    'job changed concurrently; read it and try again',
  );
}
