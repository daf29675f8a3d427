import { JOB_COLUMNS } from './job-columns.js';
import { heldUnder } from './rules.sql.js';

/**
 * extendLeases — heartbeat: the lease runs until now() + $2 seconds, or longer if it already did:
 * a heartbeat never shortens a lease (the guard refuses that to every writer, migration
 * HeartbeatsExtend), so a live lease ends only by running out or under its own token.
 * Fenced like completion. $1: [{ id, lease_token }], $2: lease seconds, $3: namespace.
 */
export const EXTEND_LEASES = `
UPDATE jobs j SET lease_expires_at = greatest(j.lease_expires_at, now() + make_interval(secs => $2)),
  updated_at = now()
FROM jsonb_to_recordset($1::jsonb) AS h(id uuid, lease_token uuid)
WHERE j.id = h.id AND j.namespace = $3 AND ${heldUnder('j', 'h.lease_token')}
RETURNING j.id, j.lease_expires_at`;

/**
 * releaseJobs — a draining worker hands jobs back: processing -> pending, due now, and the attempt
 * it took at claim time is given back. Only under the caller's own live lease.
 * $1: [{ id, lease_token }], $2: namespace.
 */
export const RELEASE_JOBS = `
UPDATE jobs j SET status = 'pending', attempts = j.attempts - 1, run_at = now(), lease_token = NULL,
  lease_expires_at = NULL, last_lease_token = j.lease_token, last_lease_end = 'released', updated_at = now()
FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, lease_token uuid)
WHERE j.id = r.id AND j.namespace = $2 AND ${heldUnder('j', 'r.lease_token')}
RETURNING ${JOB_COLUMNS}`;

/**
 * lockHeldJob — an in-process handler opens its transaction: the job's row is locked in it, under
 * the caller's live lease, until the transaction ends. While it is locked, claims and the reaper
 * pass it by (SKIP LOCKED) even once the lease has run out, and the worker stops heartbeating it
 * (a heartbeat would queue on the lock, and in REPEATABLE READ or SERIALIZABLE it would make the
 * completion fail with a serialization error). So a long transaction is never taken from its
 * handler, and settles with COMPLETE_LOCKED_JOBS / FAIL_LOCKED_JOBS. If the process dies, the
 * connection goes, the lock with it, and the reaper sees an expired lease as usual.
 * NO KEY UPDATE: the strongest lock an UPDATE of the job takes, so it blocks every writer of the
 * row and nothing else (not the foreign keys of job_events). $1: id, $2: namespace, $3: lease token.
 */
export const LOCK_HELD_JOB = `
SELECT j.id FROM jobs j
WHERE j.id = $1 AND j.namespace = $2 AND ${heldUnder('j', '$3::uuid')}
FOR NO KEY UPDATE`;
