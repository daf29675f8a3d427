import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Progress reported by a job's lease holder (docs/queues.md): a percentage and/or a small JSON
 * object. A table of its own, not columns of `jobs`: a handler's transaction holds its job's row
 * locked (LOCK_HELD_JOB), and progress must be written, and seen, while that transaction runs.
 */
export class JobProgress1765497600000 implements MigrationInterface {
  name = 'JobProgress1765497600000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE job_progress (
        job_id uuid PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
        percent real CHECK (percent BETWEEN 0 AND 100),
        data jsonb,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE job_progress');
  }
}
