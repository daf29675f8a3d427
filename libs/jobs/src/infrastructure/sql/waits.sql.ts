/**
 * Long polls (migration JobWaits): a wait is registered before the job is read again, so that a
 * change committed in between is either seen by that read or NOTIFYed to the waiter.
 */

/** registerWait — $1 job id, $2 waiter id, $3 seconds it may last at most. Clears expired ones. */
export const REGISTER_WAIT = `
WITH expired AS (DELETE FROM job_waits WHERE expires_at < now())
INSERT INTO job_waits (job_id, waiter, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))`;

/** endWait — $1 job id, $2 waiter id. */
export const END_WAIT = `DELETE FROM job_waits WHERE job_id = $1 AND waiter = $2`;
