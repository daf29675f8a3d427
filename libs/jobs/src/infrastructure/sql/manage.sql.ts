import { JOB_COLUMNS, jobStateColumns } from './job-columns.js';
import { errorContains } from './rules.sql.js';

/**
 * Operator actions on one job, each one statement that decides and writes under the row lock:
 * FOR UPDATE waits for a concurrent change and then reads the row as it now is, so the status that
 * allows or refuses the move is the status the job really has. $3 is the list of statuses the move
 * is legal from, as the domain's aggregate computes it (statusesAllowing). Returns one row per
 * existing job: `state` (JobState as it was under the lock) and, when the move was made, the
 * columns of the job as it now is (all NULL when it was refused).
 */
function guardedMove(set: string): string {
  return `
WITH target AS (
  SELECT ${jobStateColumns('jobs')} FROM jobs WHERE id = $1 AND namespace = $2 FOR UPDATE
),
moved AS (
  UPDATE jobs j SET ${set}
  FROM target WHERE j.id = target.state_id AND target.status = ANY ($3::text[])
  RETURNING ${JOB_COLUMNS}
)
SELECT to_jsonb(target) AS state, moved.* FROM target LEFT JOIN moved ON true`;
}

/**
 * cancelJob — $1 id, $2 namespace, $3 statuses it may be cancelled from. A running job's lease is
 * void at once, recorded as ended `cancelled`: its holder's next heartbeat, completion or failure
 * is refused with that reason. A job an in-process handler's transaction holds (LOCK_HELD_JOB) is
 * cancelled once that transaction ends: its holder is told first (NOTIFY_CANCEL) and rolls back,
 * unless its completion committed first, in which case the job is completed and the cancel refused.
 */
export const CANCEL_JOB = guardedMove(`status = 'cancelled', lease_token = NULL, lease_expires_at = NULL,
  last_lease_token = CASE WHEN target.status = 'processing' THEN j.lease_token ELSE j.last_lease_token END,
  last_lease_end = CASE WHEN target.status = 'processing' THEN 'cancelled' ELSE j.last_lease_end END,
  updated_at = now()`);

/**
 * notifyCancel — tells the instance holding a running job that it is being cancelled, so that its
 * handler's signal fires and its transaction (if any) lets go of the job. Run on its own, before
 * CANCEL_JOB: a NOTIFY is delivered when its transaction commits. $1 id, $2 namespace.
 */
export const NOTIFY_CANCEL = `
SELECT pg_notify('conveyor_cancel', id::text) FROM jobs
WHERE id = $1 AND namespace = $2 AND status = 'processing'`;

/**
 * retryJob — back to pending, due now, with a fresh attempt budget; to waiting instead while a job it
 * depends on (a workflow node's) has not completed. $1 id, $2 namespace, $3 statuses it may be
 * retried from.
 */
export const RETRY_JOB = guardedMove(
  `status = CASE WHEN EXISTS (SELECT 1 FROM job_dependencies d WHERE d.child_id = j.id AND d.state <> 'satisfied')
                 THEN 'waiting' ELSE 'pending' END,
  attempts = 0, run_at = now(), worker_id = NULL, updated_at = now()`,
);

/**
 * redriveDeadLetters — dead-lettered jobs matching the filters back to pending, due now, with a
 * fresh attempt budget; at most $8 per call (the caller loops), so no statement holds many locks.
 * $1 namespace, $2 queue, $3 type, $4 error text, $5 / $6 min / max age in seconds, $7 ids (uuid[]),
 * each NULL for "any"; $8 batch size; $9 the statuses a redrive takes (OPERATOR_MOVES).
 */
export const REDRIVE_DEAD_LETTERS = `
WITH picked AS (
  SELECT id FROM jobs
  WHERE namespace = $1 AND status = ANY ($9::text[])
    AND ($2::text IS NULL OR queue = $2)
    AND ($3::text IS NULL OR type = $3)
    AND ($4::text IS NULL OR ${errorContains('jobs', '$4')})
    AND ($5::integer IS NULL OR updated_at <= now() - make_interval(secs => $5))
    AND ($6::integer IS NULL OR updated_at >= now() - make_interval(secs => $6))
    AND ($7::uuid[] IS NULL OR id = ANY ($7::uuid[]))
  LIMIT $8
  FOR UPDATE SKIP LOCKED
)
UPDATE jobs j SET status = 'pending', attempts = 0, run_at = now(), worker_id = NULL, updated_at = now()
FROM picked WHERE j.id = picked.id
RETURNING ${JOB_COLUMNS}`;
