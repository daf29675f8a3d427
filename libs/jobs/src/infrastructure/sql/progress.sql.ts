/**
 * recordProgress — the lease holder's progress: a percentage ($4) and/or a JSON object ($5), each
 * kept as it was when NULL. Fenced by the token alone (processing under $3), not by the lease's
 * end: progress changes nothing but itself, and a job its handler's transaction holds may be past
 * its lease's end (LOCK_HELD_JOB). Throttled per job: a write less than $6 seconds after the last is
 * dropped. `held` says whether the fence let it through, `written` whether it was kept.
 * $1 id, $2 namespace.
 */
export const RECORD_PROGRESS = `
WITH held AS (
  SELECT j.id FROM jobs j
  WHERE j.id = $1 AND j.namespace = $2 AND j.status = 'processing' AND j.lease_token = $3::uuid
),
written AS (
  INSERT INTO job_progress AS p (job_id, percent, data)
  SELECT id, $4, $5::jsonb FROM held
  ON CONFLICT (job_id) DO UPDATE
    SET percent = coalesce(EXCLUDED.percent, p.percent), data = coalesce(EXCLUDED.data, p.data),
        updated_at = now()
    WHERE p.updated_at <= now() - make_interval(secs => $6)
  RETURNING p.job_id
)
SELECT EXISTS (SELECT 1 FROM held) AS held, EXISTS (SELECT 1 FROM written) AS written`;
