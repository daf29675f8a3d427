import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Completion callbacks (docs/queues.md): a job submitted with a `callback_url` gets, in the same
 * transaction that moves it into completed, dead_letter or cancelled, a callback job of its own in
 * the service's namespace (conveyor / callbacks / conveyor.callback) that POSTs the outcome there.
 * One per terminal state entered; it survives crashes and retries like any job.
 */
export class CompletionCallbacks1765756800000 implements MigrationInterface {
  name = 'CompletionCallbacks1765756800000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE jobs ADD COLUMN callback_url varchar(2048)');
    await db.query(`
      CREATE FUNCTION conveyor_jobs_enqueue_callbacks() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO jobs (id, namespace, queue, type, payload, status, priority, run_at, max_attempts,
                          backoff, idempotency_key)
        SELECT gen_random_uuid(), 'conveyor', 'callbacks', 'conveyor.callback',
               jsonb_build_object('url', n.callback_url, 'body', jsonb_build_object(
                 'jobId', n.id, 'namespace', n.namespace, 'queue', n.queue, 'type', n.type,
                 'status', n.status, 'result', n.result, 'lastError', n.last_error,
                 'attempts', n.attempts, 'finishedAt', n.updated_at)),
               'pending', 0, now(), 10,
               '{"type": "exponential", "delayMs": 1000, "maxDelayMs": 300000}'::jsonb,
               'callback:' || n.id || ':' || n.status || ':' || floor(extract(epoch FROM n.updated_at) * 1000000)
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.callback_url IS NOT NULL AND n.status IN ('completed', 'dead_letter', 'cancelled')
          AND o.status IS DISTINCT FROM n.status;
        RETURN NULL;
      END
      $$`);
    await db.query(`CREATE TRIGGER jobs_enqueue_callbacks AFTER UPDATE ON jobs
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION conveyor_jobs_enqueue_callbacks()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TRIGGER jobs_enqueue_callbacks ON jobs');
    await db.query('DROP FUNCTION conveyor_jobs_enqueue_callbacks()');
    await db.query('ALTER TABLE jobs DROP COLUMN callback_url');
  }
}
