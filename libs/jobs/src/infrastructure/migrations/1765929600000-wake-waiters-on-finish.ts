import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A waiter waits for its job to finish (GET /v1/jobs/{id}?wait=…): NOTIFY it when the job enters
 * completed, dead_letter or cancelled, not at every change of status. Woken by the claim as well,
 * a thousand waiters re-read their jobs for nothing while the instance is busy answering the
 * others.
 */
export class WakeWaitersOnFinish1765929600000 implements MigrationInterface {
  name = 'WakeWaitersOnFinish1765929600000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(notifyWaiters(`n.status IN ('completed', 'dead_letter', 'cancelled')`));
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(notifyWaiters('true'));
  }
}

/** The trigger function of migration JobWaits, NOTIFYing the waited jobs whose status changed to one `entered` allows. */
function notifyWaiters(entered: string): string {
  return `
    CREATE OR REPLACE FUNCTION conveyor_jobs_notify_waiters() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE changed text;
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM job_waits) THEN
        RETURN NULL;
      END IF;
      FOR changed IN
        SELECT DISTINCT n.id::text FROM new_rows n
        JOIN old_rows o ON o.id = n.id
        JOIN job_waits w ON w.job_id = n.id
        WHERE n.status IS DISTINCT FROM o.status AND ${entered}
      LOOP
        PERFORM pg_notify('conveyor_job_changed', changed);
      END LOOP;
      RETURN NULL;
    END
    $$`;
}
