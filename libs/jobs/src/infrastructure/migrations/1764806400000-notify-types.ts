import type { MigrationInterface, QueryRunner } from 'typeorm';

const RECORD_UPDATE_EVENTS = `
        INSERT INTO job_events (job_id, from_status, to_status, attempt, worker_id, error)
        SELECT n.id, o.status, n.status, n.attempts, n.worker_id,
               CASE WHEN n.status IN ('failed', 'dead_letter') OR o.status = 'processing' AND n.status = 'processing'
                    THEN n.last_error END
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        -- A status change, or a re-claim (processing -> processing under a new lease token).
        -- Heartbeats change neither and leave no trace.
        WHERE o.status IS DISTINCT FROM n.status
           OR (n.status = 'processing' AND o.lease_token IS DISTINCT FROM n.lease_token);`;

/**
 * Wake-ups name the job type as well as the queue (payload `<queue><TAB><type>`; names cannot
 * hold a tab): when several handler types share a queue, only the one with new work claims,
 * instead of every one of them. Still one NOTIFY per queue and type per statement.
 */
export class NotifyTypes1764806400000 implements MigrationInterface {
  name = 'NotifyTypes1764806400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE OR REPLACE FUNCTION conveyor_jobs_record_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE wake text;
      BEGIN
        INSERT INTO job_events (job_id, from_status, to_status, attempt)
        SELECT n.id, NULL, n.status, n.attempts FROM new_rows n;
        FOR wake IN SELECT DISTINCT n.queue || E'\\t' || n.type FROM new_rows n WHERE n.status = 'pending' LOOP
          PERFORM pg_notify('conveyor_jobs', wake);
        END LOOP;
        RETURN NULL;
      END
      $$`);
    await db.query(`
      CREATE OR REPLACE FUNCTION conveyor_jobs_record_update() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE wake text;
      BEGIN${RECORD_UPDATE_EVENTS}
        -- Jobs back in pending (manual retry, released by a draining worker) are claimable now.
        FOR wake IN
          SELECT DISTINCT n.queue || E'\\t' || n.type FROM new_rows n JOIN old_rows o ON o.id = n.id
          WHERE n.status = 'pending' AND o.status <> 'pending'
        LOOP
          PERFORM pg_notify('conveyor_jobs', wake);
        END LOOP;
        RETURN NULL;
      END
      $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE OR REPLACE FUNCTION conveyor_jobs_record_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE queue_name text;
      BEGIN
        INSERT INTO job_events (job_id, from_status, to_status, attempt)
        SELECT n.id, NULL, n.status, n.attempts FROM new_rows n;
        FOR queue_name IN SELECT DISTINCT n.queue FROM new_rows n WHERE n.status = 'pending' LOOP
          PERFORM pg_notify('conveyor_jobs', queue_name);
        END LOOP;
        RETURN NULL;
      END
      $$`);
    await db.query(`
      CREATE OR REPLACE FUNCTION conveyor_jobs_record_update() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE queue_name text;
      BEGIN${RECORD_UPDATE_EVENTS}
        FOR queue_name IN
          SELECT DISTINCT n.queue FROM new_rows n JOIN old_rows o ON o.id = n.id
          WHERE n.status = 'pending' AND o.status <> 'pending'
        LOOP
          PERFORM pg_notify('conveyor_jobs', queue_name);
        END LOOP;
        RETURN NULL;
      END
      $$`);
  }
}
