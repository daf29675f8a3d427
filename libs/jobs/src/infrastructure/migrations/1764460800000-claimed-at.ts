import type { MigrationInterface, QueryRunner } from 'typeorm';

/** When the current (or last) attempt was claimed, by the database clock: run time = end - claimed_at. */
export class ClaimedAt1764460800000 implements MigrationInterface {
  name = 'ClaimedAt1764460800000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE jobs ADD COLUMN claimed_at timestamptz');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE jobs DROP COLUMN claimed_at');
  }
}
