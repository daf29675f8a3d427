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
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP FUNCTION conveyor_running_jobs(text, text)');
    await db.query('ALTER TABLE jobs DROP COLUMN concurrency_key');
    await db.query(
      `ALTER TABLE queue_controls DROP COLUMN key_concurrency_limit, DROP COLUMN concurrency_limit`,
    );
  }
}
