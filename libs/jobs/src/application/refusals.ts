import { JobConflictError, JobNotFoundError } from '../domain/job.errors.js';
import type { JobState } from '../domain/job-state.js';
import type { OperatorMove } from '../domain/operator-moves.js';
import { explainLeaseAction, explainOperatorMove, type LeaseAction } from '../domain/refusals.js';
import type { JobView } from './job-view.js';
import type { JobLifecycle } from './lifecycle/job-lifecycle.js';
import type { GuardedMove } from './ports/job-store.js';

/** Nothing refuses the request now: the job changed between the statement and the read. */
function changedConcurrently(state: JobState): JobConflictError {
  return new JobConflictError(
    state.id,
    'illegal_transition',
    state.status,
    'job changed concurrently; read it and try again',
  );
}

/**
 * A fenced statement left the job alone. Read it as it is now and let the domain say why: 404, the
 * specific 409, or a replay (the same lease already settled it the same way; its answer was lost),
 * in which case the job is returned. The statement is never retried from here.
 */
export async function replayOrRefuse(
  lifecycle: JobLifecycle,
  namespace: string,
  id: string,
  leaseToken: string,
  action: LeaseAction,
): Promise<JobView> {
  const snapshot = await lifecycle.snapshot(namespace, id);
  if (snapshot === null) throw new JobNotFoundError(id);
  const explanation = explainLeaseAction(snapshot.state, leaseToken, action);
  switch (explanation.kind) {
    case 'refused':
      throw explanation.error;
    case 'replay':
      return snapshot.job;
    case 'allowed':
      throw changedConcurrently(snapshot.state);
  }
}

/**
 * A move decided under the row lock (cancel, retry): the job as moved, or the refusal for the
 * state the statement found, whose status is the one that really refused it; 404 for no job.
 */
export function movedOrRefused(id: string, outcome: GuardedMove | null, move: OperatorMove): JobView {
  if (outcome === null) throw new JobNotFoundError(id);
  if (outcome.job !== null) return outcome.job;
  const explanation = explainOperatorMove(outcome.state, move);
  if (explanation.kind === 'refused') throw explanation.error;
  throw new Error(
    `job ${id}: the statement refused a ${move} the domain allows from ${outcome.state.status}`,
  );
}
