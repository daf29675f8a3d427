import { JobConflictError } from './job.errors.js';
import type { JobState } from './job-state.js';
import { OPERATOR_MOVES, type OperatorMove } from './operator-moves.js';

/** What a lease holder asks of its job (lock: hold it in an in-process handler's transaction). */
export type LeaseAction = 'complete' | 'fail' | 'heartbeat' | 'lock' | 'release';

/**
 * Why a guarded statement left a job alone, told from the job's state as read afterwards. The
 * statements decide (infrastructure/sql); this only explains, and never picks a next status.
 *   refused:  the answer is this conflict (409);
 *   replay:   the same lease already settled the job the same way: answer as if it just had;
 *   allowed:  nothing refuses it now, so the job changed between the statement and the read.
 */
export type Explanation =
  | { readonly kind: 'refused'; readonly error: JobConflictError }
  | { readonly kind: 'replay' }
  | { readonly kind: 'allowed' };

const ALLOWED: Explanation = { kind: 'allowed' };
const REPLAY: Explanation = { kind: 'replay' };

function refused(state: JobState, reason: JobConflictError['reason'], message: string): Explanation {
  return { kind: 'refused', error: new JobConflictError(state.id, reason, state.status, message) };
}

/** How a lease ends when its holder settles it this way. */
const SETTLES_AS = { complete: 'completed', fail: 'failed' } as const;

export function explainLeaseAction(state: JobState, leaseToken: string, action: LeaseAction): Explanation {
  const { status, leaseToken: current, leaseExpired, lastLeaseToken, lastLeaseEnd } = state;
  if (status === 'processing' && current === leaseToken) {
    return leaseExpired ? refused(state, 'lease_expired', 'lease has expired') : ALLOWED;
  }
  if (lastLeaseToken === leaseToken) {
    switch (lastLeaseEnd) {
      case 'expired':
        return refused(state, 'lease_expired', 'lease expired before this; the job went on without it');
      case 'completed':
      case 'failed':
        // The holder asks again what it was granted (its answer was lost): the same answer.
        if ((action === 'complete' || action === 'fail') && SETTLES_AS[action] === lastLeaseEnd)
          return REPLAY;
        return refused(state, 'illegal_transition', `this lease already settled the job as ${lastLeaseEnd}`);
      case 'released':
        return refused(state, 'illegal_transition', 'this lease handed the job back');
      case 'cancelled':
        return refused(state, 'cancelled', 'the job was cancelled while this lease held it');
      case null:
        break;
    }
  }
  if (status === 'processing') {
    return refused(state, 'lease_mismatch', 'lease token does not match the current lease');
  }
  // Neither the current lease nor the last: after more than one attempt, most likely an earlier
  // attempt's, which expired and was overtaken (only the last lease is recorded). Its holder must
  // hear that its lease is gone, not that the job cannot move.
  if (state.attempts > 1) {
    return refused(state, 'lease_expired', 'a later attempt took the job over after this lease expired');
  }
  return refused(state, 'illegal_transition', `job is ${status}, not processing`);
}

export function explainOperatorMove(state: JobState, move: OperatorMove): Explanation {
  const { from } = OPERATOR_MOVES[move];
  if ((from as readonly string[]).includes(state.status)) return ALLOWED;
  return refused(
    state,
    'illegal_transition',
    `${move} needs a job that is ${from.join(' or ')}, this one is ${state.status}`,
  );
}
