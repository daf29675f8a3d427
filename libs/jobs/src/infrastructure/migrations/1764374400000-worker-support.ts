import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the in-process worker needs from the schema: a wake-up NOTIFY when jobs become claimable,
 * and indexes for the reaper, retention and idempotency-key expiry.
 */
export class WorkerSupport1764374400000 implements MigrationInterface {
  name = 'WorkerSupport1764374400000';

  async up(db: QueryRunner): Promise<void> {
    // One NOTIFY per queue per statement, not per row: a group-committed batch of 500 submits
    // wakes the workers once. The payload is the queue name; workers claim, they never trust it.
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
      BEGIN
        INSERT INTO job_events (job_id, from_status, to_status, attempt, worker_id, error)
        SELECT n.id, o.status, n.status, n.attempts, n.worker_id,
               CASE WHEN n.status IN ('failed', 'dead_letter') OR o.status = 'processing' AND n.status = 'processing'
                    THEN n.last_error END
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        -- A status change, or a re-claim (processing -> processing under a new lease token).
        -- Heartbeats change neither and leave no trace.
        WHERE o.status IS DISTINCT FROM n.status
           OR (n.status = 'processing' AND o.lease_token IS DISTINCT FROM n.lease_token);
        -- Jobs back in pending (manual retry, released by a draining worker) are claimable now.
        FOR queue_name IN
          SELECT DISTINCT n.queue FROM new_rows n JOIN old_rows o ON o.id = n.id
          WHERE n.status = 'pending' AND o.status <> 'pending'
        LOOP
          PERFORM pg_notify('conveyor_jobs', queue_name);
        END LOOP;
        RETURN NULL;
      END
      $$`);
    await db.query(`CREATE INDEX jobs_retention_idx ON jobs (status, updated_at)
      WHERE status IN ('completed', 'cancelled', 'dead_letter')`);
    await db.query(`CREATE INDEX jobs_reap_idx ON jobs (lease_expires_at) WHERE status = 'processing'`);
    await db.query(`CREATE INDEX job_idempotency_keys_expiry_idx ON job_idempotency_keys (expires_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX job_idempotency_keys_expiry_idx');
    await db.query('DROP INDEX jobs_reap_idx');
    await db.query('DROP INDEX jobs_retention_idx');
    await db.query(`
      CREATE OR REPLACE FUNCTION conveyor_jobs_record_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO job_events (job_id, from_status, to_status, attempt)
        SELECT n.id, NULL, n.status, n.attempts FROM new_rows n;
        RETURN NULL;
      END
      $$`);
    await db.query(`
      CREATE OR REPLACE FUNCTION conveyor_jobs_record_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO job_events (job_id, from_status, to_status, attempt, worker_id, error)
        SELECT n.id, o.status, n.status, n.attempts, n.worker_id,
               CASE WHEN n.status IN ('failed', 'dead_letter') OR o.status = 'processing' AND n.status = 'processing'
                    THEN n.last_error END
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE o.status IS DISTINCT FROM n.status
           OR (n.status = 'processing' AND o.lease_token IS DISTINCT FROM n.lease_token);
        RETURN NULL;
      END
      $$`);
  }
}
