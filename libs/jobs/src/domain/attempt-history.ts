import type { JobStatus } from './job-status.js';

export interface TransitionEvent {
  fromStatus: JobStatus | null;
  toStatus: JobStatus;
  attempt: number;
  workerId: string | null;
  error: string | null;
  occurredAt: Date;
}

/** How an attempt ended. `running` while it has not. */
export type AttemptOutcome =
  'running' | 'completed' | 'failed' | 'dead_letter' | 'lease_expired' | 'released' | 'cancelled';

export interface AttemptRecord {
  attempt: number;
  workerId: string | null;
  startedAt: Date;
  endedAt: Date | null;
  durationMs: number | null;
  outcome: AttemptOutcome;
  error: string | null;
}

function outcomeOf(next: TransitionEvent): AttemptOutcome {
  switch (next.toStatus) {
    case 'completed':
      return 'completed';
    case 'failed':
      return 'failed';
    case 'dead_letter':
      // Straight from processing: a permanent failure, the last attempt failing, or (with
      // 'lease expired') the worker dying on the last attempt.
      return next.error === 'lease expired' ? 'lease_expired' : 'dead_letter';
    case 'processing':
      return 'lease_expired'; // re-claimed by another worker
    case 'pending':
    case 'waiting': // not out of processing; listed for the compiler
      return 'released';
    case 'cancelled':
      return 'cancelled';
  }
}

/**
 * Attempts reconstructed from the transition history (oldest first): each claim opens one, the
 * next transition out of `processing` closes it. A reaped lease (processing -> failed with
 * 'lease expired') reads as lease_expired too.
 */
export function attemptHistory(events: readonly TransitionEvent[]): AttemptRecord[] {
  const attempts: AttemptRecord[] = [];
  let open: AttemptRecord | undefined;
  for (const event of events) {
    if (open !== undefined && event.fromStatus === 'processing') {
      const outcome =
        event.error === 'lease expired' && event.toStatus === 'failed' ? 'lease_expired' : outcomeOf(event);
      open.endedAt = event.occurredAt;
      open.durationMs = event.occurredAt.getTime() - open.startedAt.getTime();
      open.outcome = outcome;
      open.error =
        outcome === 'completed' || outcome === 'released' || outcome === 'cancelled' ? null : event.error;
      open = undefined;
    }
    if (event.toStatus === 'processing') {
      open = {
        attempt: event.attempt,
        workerId: event.workerId,
        startedAt: event.occurredAt,
        endedAt: null,
        durationMs: null,
        outcome: 'running',
        error: null,
      };
      attempts.push(open);
    }
  }
  return attempts;
}
