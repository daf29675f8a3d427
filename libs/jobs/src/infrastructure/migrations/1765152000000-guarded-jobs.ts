import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The database holds every writer to the lifecycle, not only the service: others may have SQL access
 * to the same PostgreSQL (an operator, a script, a compromised credential). Before this, the trigger
 * refused illegal status changes only; attempts, results, leases, history and new rows could be
 * rewritten at will. Now (docs/state-machine.md, "What the database enforces"):
 *
 * - a job is born pending, with no attempt, lease, result or history of its own;
 * - what a job is (namespace, queue, type, payload, priority, limits, key, trace) is not the runtime
 *   role's to change: it may update only the lifecycle's columns (column privileges, granted at boot
 *   by the migration runner, not a comparison of payloads on every update here);
 * - attempts go up by one on a claim only (never past max_attempts), down by one on a hand-back,
 *   to 0 on a retry, and nowhere else;
 * - a lease token appears only with a claim (a re-claim only once the old lease has expired) and
 *   goes only when the job leaves processing, recorded as its last lease with how it ended;
 * - a heartbeat changes the lease's end and nothing else;
 * - a result is written only when the job completes;
 * - a job that is not processing changes only its schedule (run_at) without a transition;
 * - only a finished job (completed, cancelled, dead_letter) is deleted, and its history with it;
 * - history rows are never updated, and deleted only with their job.
 *
 * The history is written by SECURITY DEFINER trigger functions, so the service's runtime role needs
 * no write privilege on job_events at all (docs/security.md, "Database roles").
 */
export class GuardedJobs1765152000000 implements MigrationInterface {
  name = 'GuardedJobs1765152000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      'ALTER TABLE jobs ADD CONSTRAINT jobs_attempts_limit_check CHECK (attempts <= max_attempts)',
    );
    await db.query('DROP TRIGGER jobs_guard_transition ON jobs');
    await db.query('DROP FUNCTION conveyor_jobs_guard_transition()');
    await db.query(`
      CREATE FUNCTION conveyor_jobs_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        refusal text;
      BEGIN
        IF TG_OP = 'INSERT' THEN
          IF NEW.status <> 'pending' OR NEW.attempts <> 0 OR NEW.lease_token IS NOT NULL
             OR NEW.lease_expires_at IS NOT NULL OR NEW.result IS NOT NULL OR NEW.last_error IS NOT NULL
             OR NEW.worker_id IS NOT NULL OR NEW.claimed_at IS NOT NULL OR NEW.last_lease_token IS NOT NULL THEN
            RAISE EXCEPTION 'a job is born pending, with no attempt, lease or result (job %)', NEW.id
              USING ERRCODE = 'check_violation', CONSTRAINT = 'jobs_born_pending';
          END IF;
          RETURN NEW;
        END IF;

        IF OLD.status = NEW.status AND NEW.status = 'processing' THEN
          IF NEW.lease_token = OLD.lease_token THEN
            -- A heartbeat: the lease runs longer; nothing else moves.
            IF (NEW.attempts, NEW.worker_id, NEW.last_error, NEW.result, NEW.run_at, NEW.claimed_at,
                NEW.last_lease_token, NEW.last_lease_end)
               IS DISTINCT FROM
               (OLD.attempts, OLD.worker_id, OLD.last_error, OLD.result, OLD.run_at, OLD.claimed_at,
                OLD.last_lease_token, OLD.last_lease_end) THEN
              refusal := 'a held job changes only the end of its lease, unless it is claimed again';
            END IF;
          ELSIF OLD.lease_expires_at > now() THEN
            refusal := 'a job is claimed again only once its lease has expired';
          ELSIF NEW.attempts <> OLD.attempts + 1 OR NEW.last_lease_token IS DISTINCT FROM OLD.lease_token
                OR NEW.last_lease_end IS DISTINCT FROM 'expired' OR NEW.result IS DISTINCT FROM OLD.result THEN
            refusal := 'a claim after an expired lease counts one attempt and records that lease as expired';
          END IF;
        ELSIF OLD.status = NEW.status THEN
          -- Not held: only its schedule may move without a transition.
          IF (NEW.attempts, NEW.lease_token, NEW.lease_expires_at, NEW.worker_id, NEW.last_error, NEW.result,
              NEW.claimed_at, NEW.last_lease_token, NEW.last_lease_end)
             IS DISTINCT FROM
             (OLD.attempts, OLD.lease_token, OLD.lease_expires_at, OLD.worker_id, OLD.last_error, OLD.result,
              OLD.claimed_at, OLD.last_lease_token, OLD.last_lease_end) THEN
            refusal := format('a %s job changes only its schedule', OLD.status);
          END IF;
        ELSIF NOT conveyor_job_transition_is_legal(OLD.status, NEW.status) THEN
          RAISE EXCEPTION 'illegal job status transition % -> % (job %)', OLD.status, NEW.status, OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'jobs_status_transition';
        ELSIF NEW.status = 'processing' THEN
          IF NEW.attempts <> OLD.attempts + 1 OR NEW.result IS DISTINCT FROM OLD.result
             OR (NEW.last_lease_token, NEW.last_lease_end) IS DISTINCT FROM (OLD.last_lease_token, OLD.last_lease_end) THEN
            refusal := 'a claim counts one attempt, and changes no result and no record of an earlier lease';
          END IF;
        ELSIF OLD.status = 'processing' THEN
          IF NEW.last_lease_token IS DISTINCT FROM OLD.lease_token THEN
            refusal := 'a job leaving processing records the lease it was held under';
          -- (CASE ... END) in parentheses: PL/pgSQL ends an ELSIF's condition at the first bare THEN.
          ELSIF NEW.last_lease_end IS DISTINCT FROM (CASE NEW.status
                  WHEN 'completed' THEN 'completed' WHEN 'pending' THEN 'released'
                  ELSE (CASE WHEN NEW.last_lease_end = 'expired' THEN 'expired' ELSE 'failed' END) END) THEN
            refusal := format('a lease does not end as %s when the job becomes %s', NEW.last_lease_end, NEW.status);
          ELSIF NEW.attempts <> OLD.attempts - (CASE WHEN NEW.status = 'pending' THEN 1 ELSE 0 END) THEN
            refusal := 'attempts change only by a claim, a hand-back or a retry';
          ELSIF NEW.status <> 'completed' AND NEW.result IS DISTINCT FROM OLD.result THEN
            refusal := 'a result is written only when the job completes';
          END IF;
        ELSE
          -- retry, redrive (to pending, a fresh attempt budget) and cancel: no lease, no result involved.
          IF NEW.attempts <> (CASE WHEN NEW.status = 'pending' THEN 0 ELSE OLD.attempts END)
             OR NEW.result IS DISTINCT FROM OLD.result
             OR (NEW.last_lease_token, NEW.last_lease_end) IS DISTINCT FROM (OLD.last_lease_token, OLD.last_lease_end) THEN
            refusal := format('%s -> %s changes no attempt count (but to reset it), lease or result', OLD.status, NEW.status);
          END IF;
        END IF;
        IF refusal IS NOT NULL THEN
          RAISE EXCEPTION '% (job %)', refusal, OLD.id USING ERRCODE = 'check_violation', CONSTRAINT = 'jobs_guard';
        END IF;
        RETURN NEW;
      END
      $$`);
    await db.query(`CREATE TRIGGER jobs_guard BEFORE INSERT OR UPDATE ON jobs
      FOR EACH ROW EXECUTE FUNCTION conveyor_jobs_guard()`);

    await db.query(`
      CREATE FUNCTION conveyor_jobs_guard_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.status NOT IN ('completed', 'cancelled', 'dead_letter') THEN
          RAISE EXCEPTION 'only a finished job is deleted; job % is %', OLD.id, OLD.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'jobs_guard';
        END IF;
        RETURN OLD;
      END
      $$`);
    await db.query(`CREATE TRIGGER jobs_guard_delete BEFORE DELETE ON jobs
      FOR EACH ROW EXECUTE FUNCTION conveyor_jobs_guard_delete()`);

    // History goes with its job, by the job's own DELETE; job_events refuses anything else.
    await db.query(`
      CREATE FUNCTION conveyor_jobs_delete_history() RETURNS trigger LANGUAGE plpgsql
      SECURITY DEFINER SET search_path FROM CURRENT AS $$
      BEGIN
        DELETE FROM job_events e USING old_rows o WHERE e.job_id = o.id;
        RETURN NULL;
      END
      $$`);
    await db.query(`CREATE TRIGGER jobs_delete_history AFTER DELETE ON jobs REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION conveyor_jobs_delete_history()`);
    await db.query(`
      CREATE FUNCTION conveyor_job_events_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- Depth 1 is a statement on job_events itself; deeper, the jobs_delete_history trigger.
        IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
          RETURN NULL;
        END IF;
        RAISE EXCEPTION 'job history is written once and goes only with its job'
          USING ERRCODE = 'check_violation', CONSTRAINT = 'job_events_guard';
      END
      $$`);
    await db.query(`CREATE TRIGGER job_events_guard BEFORE UPDATE OR DELETE OR TRUNCATE ON job_events
      FOR EACH STATEMENT EXECUTE FUNCTION conveyor_job_events_guard()`);

    // The history (and its wake-ups) is written with the privileges of the schema's owner.
    for (const fn of ['conveyor_jobs_record_insert()', 'conveyor_jobs_record_update()']) {
      await db.query(`ALTER FUNCTION ${fn} SECURITY DEFINER SET search_path FROM CURRENT`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const fn of ['conveyor_jobs_record_insert()', 'conveyor_jobs_record_update()']) {
      await db.query(`ALTER FUNCTION ${fn} SECURITY INVOKER RESET search_path`);
    }
    await db.query('DROP TRIGGER job_events_guard ON job_events');
    await db.query('DROP FUNCTION conveyor_job_events_guard()');
    await db.query('DROP TRIGGER jobs_delete_history ON jobs');
    await db.query('DROP FUNCTION conveyor_jobs_delete_history()');
    await db.query('DROP TRIGGER jobs_guard_delete ON jobs');
    await db.query('DROP FUNCTION conveyor_jobs_guard_delete()');
    await db.query('DROP TRIGGER jobs_guard ON jobs');
    await db.query('DROP FUNCTION conveyor_jobs_guard()');
    await db.query(`
      CREATE FUNCTION conveyor_jobs_guard_transition() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT conveyor_job_transition_is_legal(OLD.status, NEW.status) THEN
          RAISE EXCEPTION 'illegal job status transition % -> % (job %)', OLD.status, NEW.status, OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'jobs_status_transition';
        END IF;
        RETURN NEW;
      END
      $$`);
    await db.query(`
      CREATE TRIGGER jobs_guard_transition
      BEFORE UPDATE OF status ON jobs
      FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
      EXECUTE FUNCTION conveyor_jobs_guard_transition()`);
    await db.query('ALTER TABLE jobs DROP CONSTRAINT jobs_attempts_limit_check');
  }
}
