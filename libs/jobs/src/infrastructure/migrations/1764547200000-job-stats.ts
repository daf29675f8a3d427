import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Counters for GET /v1/stats that stay fast with millions of jobs.
 *
 * The job triggers append one delta row per (namespace, queue, status) a statement touched:
 * appends never wait on each other, so the hot path gains no lock contention and no deadlock
 * risk (updating shared counter rows in place would serialize every writer on them). A compactor
 * folds the deltas into job_counts and per-minute entry counts; readers add the deltas not yet
 * folded, so counts are exact at every moment.
 */
export class JobStats1764547200000 implements MigrationInterface {
  name = 'JobStats1764547200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE job_stat_deltas (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        namespace varchar(255) NOT NULL,
        queue varchar(255) NOT NULL,
        status varchar(16) NOT NULL,
        delta integer NOT NULL,
        entered integer NOT NULL,
        minute timestamptz NOT NULL
      )`);
    await db.query(`
      CREATE TABLE job_counts (
        namespace varchar(255) NOT NULL,
        queue varchar(255) NOT NULL,
        status varchar(16) NOT NULL,
        count bigint NOT NULL,
        PRIMARY KEY (namespace, queue, status)
      )`);
    await db.query(`
      CREATE TABLE job_status_minutes (
        namespace varchar(255) NOT NULL,
        queue varchar(255) NOT NULL,
        status varchar(16) NOT NULL,
        minute timestamptz NOT NULL,
        entered bigint NOT NULL,
        PRIMARY KEY (namespace, queue, status, minute)
      )`);
    // Oldest due pending job per queue: one index probe per queue.
    await db.query(
      `CREATE INDEX jobs_pending_age_idx ON jobs (namespace, queue, run_at) WHERE status = 'pending'`,
    );
    // Recent completions for the wait/run percentiles.
    await db.query(
      `CREATE INDEX jobs_recently_completed_idx ON jobs (namespace, updated_at DESC) WHERE status = 'completed'`,
    );

    await db.query(`
      CREATE FUNCTION conveyor_jobs_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO job_stat_deltas (namespace, queue, status, delta, entered, minute)
        SELECT namespace, queue, status, count(*), count(*), date_trunc('minute', now())
        FROM new_rows GROUP BY namespace, queue, status;
        RETURN NULL;
      END
      $$`);
    await db.query(`
      CREATE FUNCTION conveyor_jobs_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO job_stat_deltas (namespace, queue, status, delta, entered, minute)
        SELECT namespace, queue, status, sum(delta), sum(entered), date_trunc('minute', now())
        FROM (
          SELECT n.namespace, n.queue, n.status, 1 AS delta, 1 AS entered
          FROM new_rows n JOIN old_rows o ON o.id = n.id
          WHERE (o.namespace, o.queue, o.status) IS DISTINCT FROM (n.namespace, n.queue, n.status)
          UNION ALL
          SELECT o.namespace, o.queue, o.status, -1, 0
          FROM new_rows n JOIN old_rows o ON o.id = n.id
          WHERE (o.namespace, o.queue, o.status) IS DISTINCT FROM (n.namespace, n.queue, n.status)
        ) moves
        GROUP BY namespace, queue, status;
        RETURN NULL;
      END
      $$`);
    await db.query(`
      CREATE FUNCTION conveyor_jobs_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO job_stat_deltas (namespace, queue, status, delta, entered, minute)
        SELECT namespace, queue, status, -count(*), 0, date_trunc('minute', now())
        FROM old_rows GROUP BY namespace, queue, status;
        RETURN NULL;
      END
      $$`);
    await db.query(`CREATE TRIGGER jobs_count_insert AFTER INSERT ON jobs REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION conveyor_jobs_count_insert()`);
    await db.query(`CREATE TRIGGER jobs_count_update AFTER UPDATE ON jobs
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION conveyor_jobs_count_update()`);
    await db.query(`CREATE TRIGGER jobs_count_delete AFTER DELETE ON jobs REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION conveyor_jobs_count_delete()`);

    // Folds every delta into the counters in one transaction: a reader sees either the deltas or
    // their sum, never both and never neither. Returns how many delta rows it folded.
    await db.query(`
      CREATE FUNCTION conveyor_compact_job_stats() RETURNS integer LANGUAGE sql AS $$
        WITH taken AS (
          DELETE FROM job_stat_deltas RETURNING namespace, queue, status, delta, entered, minute
        ),
        counted AS (
          INSERT INTO job_counts AS c (namespace, queue, status, count)
          SELECT namespace, queue, status, sum(delta) FROM taken GROUP BY namespace, queue, status
          ORDER BY namespace, queue, status
          ON CONFLICT (namespace, queue, status) DO UPDATE SET count = c.count + excluded.count
        ),
        minutes AS (
          INSERT INTO job_status_minutes AS m (namespace, queue, status, minute, entered)
          SELECT namespace, queue, status, minute, sum(entered) FROM taken WHERE entered > 0
          GROUP BY namespace, queue, status, minute
          ORDER BY namespace, queue, status, minute
          ON CONFLICT (namespace, queue, status, minute) DO UPDATE SET entered = m.entered + excluded.entered
        )
        SELECT count(*)::integer FROM taken
      $$`);

    // Jobs that exist already.
    await db.query(`
      INSERT INTO job_counts (namespace, queue, status, count)
      SELECT namespace, queue, status, count(*) FROM jobs GROUP BY namespace, queue, status`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TRIGGER jobs_count_delete ON jobs');
    await db.query('DROP TRIGGER jobs_count_update ON jobs');
    await db.query('DROP TRIGGER jobs_count_insert ON jobs');
    await db.query('DROP FUNCTION conveyor_compact_job_stats()');
    await db.query('DROP FUNCTION conveyor_jobs_count_delete()');
    await db.query('DROP FUNCTION conveyor_jobs_count_update()');
    await db.query('DROP FUNCTION conveyor_jobs_count_insert()');
    await db.query('DROP INDEX jobs_recently_completed_idx');
    await db.query('DROP INDEX jobs_pending_age_idx');
    await db.query('DROP TABLE job_status_minutes');
    await db.query('DROP TABLE job_counts');
    await db.query('DROP TABLE job_stat_deltas');
  }
}
