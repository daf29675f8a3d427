import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The W3C traceparent of the submit, so a job's execution continues the submitter's trace. */
export class Traceparent1764633600000 implements MigrationInterface {
  name = 'Traceparent1764633600000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE jobs ADD COLUMN traceparent varchar(55)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE jobs DROP COLUMN traceparent');
  }
}
