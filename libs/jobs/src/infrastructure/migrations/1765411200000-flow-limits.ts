import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Concurrency limits across the cluster (docs/queues.md): at most `concurrency_limit` jobs of a
 * queue (type '') or of one type running at once, and at most `key_concurrency_limit` of a queue's
 * jobs with the same `concurrency_key`. The claim statement enforces them.
 */
export class FlowLimits1765411200000 implements MigrationInterface {
  name = 'FlowLimits1765411200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE queue_controls
      ADD COLUMN concurrency_limit integer,
      ADD COLUMN key_concurrency_limit integer,
      ADD CONSTRAINT queue_controls_concurrency_limit_check CHECK (concurrency_limit > 0),
      ADD CONSTRAINT queue_controls_key_concurrency_limit_check
        CHECK (key_concurrency_limit IS NULL OR (key_concurrency_limit > 0 AND type = ''))`);
    await db.query('ALTER TABLE jobs ADD COLUMN concurrency_key varchar(255)');
    // The claim of a limited queue counts what runs only once it holds the queue's limit rows. A
    // statement's own snapshot is older than that lock, and would miss the jobs the claim that held
    // the lock before it has just taken; a VOLATILE PL/pgSQL function reads with a snapshot of its
    // own, taken when it runs (READ COMMITTED), after the lock.
    await db.query(`
      CREATE FUNCTION conveyor_running_jobs(p_namespace text, p_queue text)
      RETURNS TABLE (type text, concurrency_key text, n integer) LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        RETURN QUERY
          SELECT j.type::text, j.concurrency_key::text, count(*)::int FROM jobs j
          WHERE j.namespace = p_namespace AND j.queue = p_queue AND j.status = 'processing'
          GROUP BY j.type, j.concurrency_key;
      END
      $$`);
    // A slot of a limited queue frees when one of its jobs leaves processing: its claim loops are
    // woken (the NOTIFY of new work, naming the queue), so the jobs waiting on the limit start now
    // rather than at the next poll. One check per statement, of the rows it moved out of processing.
    await db.query(`
      CREATE FUNCTION conveyor_jobs_wake_limited() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE wake text;
      BEGIN
        FOR wake IN
          SELECT DISTINCT o.queue FROM old_rows o JOIN new_rows n ON n.id = o.id
          WHERE o.status = 'processing' AND n.status <> 'processing'
            AND EXISTS (SELECT 1 FROM queue_controls c
                        WHERE c.namespace = o.namespace AND c.queue = o.queue
                          AND (c.concurrency_limit IS NOT NULL OR c.key_concurrency_limit IS NOT NULL))
        LOOP
          PERFORM pg_notify('conveyor_jobs', wake);
        END LOOP;
        RETURN NULL;
      END
      $$`);
    await db.query(`CREATE TRIGGER jobs_wake_limited AFTER UPDATE ON jobs
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION conveyor_jobs_wake_limited()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TRIGGER jobs_wake_limited ON jobs');
    await db.query('DROP FUNCTION conveyor_jobs_wake_limited()');
    await db.query('DROP FUNCTION conveyor_running_jobs(text, text)');
    await db.query('ALTER TABLE jobs DROP COLUMN concurrency_key');
    await db.query(
      `ALTER TABLE queue_controls DROP COLUMN key_concurrency_limit, DROP COLUMN concurrency_limit`,
    );
  }
}
