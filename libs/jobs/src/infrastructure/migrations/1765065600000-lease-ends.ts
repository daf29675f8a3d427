import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How the last lease on a job ended: the token it was held under, and whether its holder completed
 * or failed it, it expired (reaped, or claimed again), or it was handed back. With it a lease holder
 * whose answer was lost asks again and gets the same answer (a replay), and a worker the reaper
 * overtook is told its lease expired, not that its token is unknown.
 */
export class LeaseEnds1765065600000 implements MigrationInterface {
  name = 'LeaseEnds1765065600000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE jobs
        ADD COLUMN last_lease_token uuid,
        ADD COLUMN last_lease_end varchar(16),
        ADD CONSTRAINT jobs_last_lease_end_check
          CHECK (last_lease_end IN ('completed', 'failed', 'expired', 'released')),
        ADD CONSTRAINT jobs_last_lease_check CHECK ((last_lease_token IS NULL) = (last_lease_end IS NULL))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE jobs
        DROP CONSTRAINT jobs_last_lease_check,
        DROP CONSTRAINT jobs_last_lease_end_check,
        DROP COLUMN last_lease_end,
        DROP COLUMN last_lease_token`);
  }
}
