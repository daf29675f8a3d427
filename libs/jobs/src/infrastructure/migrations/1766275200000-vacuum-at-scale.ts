import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tables that reach millions of rows, and the share of dead rows at which autovacuum visits them.
 */
const VACUUMED_AT = [
  { table: 'jobs', scaleFactor: 0.02 },
  { table: 'job_events', scaleFactor: 0.02 },
];

/**
 * Autovacuum comes to jobs and job_events once 2 % of their rows are dead, not PostgreSQL's 20 %.
 * Retention deletes a day of jobs, and a day is a tenth of a table that keeps ten days: at 20 %,
 * autovacuum did not come after a day's retention (not within 15 minutes, `npm run bench:10m`),
 * so the next day's jobs could not reuse the space it freed and the table grew by the day it had
 * just lost (+8.6 %); it would settle only with a fifth of the table dead. At 2 % (every 200,000
 * dead rows of ten million) it came 99 s after retention and the next day went into the freed
 * heap. Until a vacuum, dead rows are also what index scans step over: retention's own batches
 * (each starts at the oldest entries of jobs_retention_idx, where earlier batches' rows lie
 * dead) and the claim's partial index (docs/scaling.md, "Ten million jobs").
 */
export class VacuumAtScale1766275200000 implements MigrationInterface {
  name = 'VacuumAtScale1766275200000';

  async up(db: QueryRunner): Promise<void> {
    for (const { table, scaleFactor } of VACUUMED_AT) {
      await db.query(`ALTER TABLE ${table} SET (autovacuum_vacuum_scale_factor = ${scaleFactor})`);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const { table } of VACUUMED_AT)
      await db.query(`ALTER TABLE ${table} RESET (autovacuum_vacuum_scale_factor)`);
  }
}
