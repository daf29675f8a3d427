import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Waiting for a job (GET /v1/jobs/{id}?wait=…, docs/queues.md): a waiter registers the job in
 * `job_waits`, and a statement that changes the status of a job someone waits for NOTIFYs
 * `conveyor_job_changed` with its id, so the instance holding the wait answers at once. Jobs
 * nobody waits for cost one probe of an empty table per statement.
 */
export class JobWaits1765584000000 implements MigrationInterface {
  name = 'JobWaits1765584000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE job_waits (
        job_id uuid NOT NULL,
        waiter uuid NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (job_id, waiter)
      )`);
    await db.query('CREATE INDEX job_waits_expiry_idx ON job_waits (expires_at)');
    await db.query(`
      CREATE FUNCTION conveyor_jobs_notify_waiters() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE changed text;
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM job_waits) THEN
          RETURN NULL;
        END IF;
        FOR changed IN
          SELECT DISTINCT n.id::text FROM new_rows n
          JOIN old_rows o ON o.id = n.id
          JOIN job_waits w ON w.job_id = n.id
          WHERE n.status IS DISTINCT FROM o.status
        LOOP
          PERFORM pg_notify('conveyor_job_changed', changed);
        END LOOP;
        RETURN NULL;
      END
      $$`);
    await db.query(`CREATE TRIGGER jobs_notify_waiters AFTER UPDATE ON jobs
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION conveyor_jobs_notify_waiters()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TRIGGER jobs_notify_waiters ON jobs');
    await db.query('DROP FUNCTION conveyor_jobs_notify_waiters()');
    await db.query('DROP TABLE job_waits');
  }
}
