/**
 * Long polls (migration JobWaits): a wait is registered before the job is read again, so that a
 * change committed in between is either seen by that read or NOTIFYed to the waiter.
 */

/** registerWait — $1 job id, $2 waiter id, $3 seconds it may last at most. Clears expired ones. */
export const REGISTER_WAIT = `
WITH expired AS (DELETE FROM job_waits WHERE expires_at < now())
INSERT INTO job_waits (job_id, waiter, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))`;

/** endWaits — the waits that are over: $1 job ids, $2 their waiters' ids (uuid[] each, in pairs). */
export const END_WAITS = `
DELETE FROM job_waits w USING unnest($1::uuid[], $2::uuid[]) AS e(job_id, waiter)
WHERE w.job_id = e.job_id AND w.waiter = e.waiter`;
