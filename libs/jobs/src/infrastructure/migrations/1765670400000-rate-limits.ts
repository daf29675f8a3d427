import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Rate limits (docs/queues.md): at most `rate_limit` jobs of a queue (type '') or of a type started
 * per `rate_period_seconds`, across the cluster. A token bucket kept in the row: `rate_tokens` left
 * when it was last drawn from, at `rate_refilled_at`; the claim statement draws from it.
 */
export class RateLimits1765670400000 implements MigrationInterface {
  name = 'RateLimits1765670400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE queue_controls
      ADD COLUMN rate_limit integer,
      ADD COLUMN rate_period_seconds integer,
      ADD COLUMN rate_tokens double precision,
      ADD COLUMN rate_refilled_at timestamptz,
      ADD CONSTRAINT queue_controls_rate_limit_check
        CHECK ((rate_limit IS NULL) = (rate_period_seconds IS NULL) AND rate_limit > 0 AND rate_period_seconds > 0)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE queue_controls DROP CONSTRAINT queue_controls_rate_limit_check,
      DROP COLUMN rate_refilled_at, DROP COLUMN rate_tokens, DROP COLUMN rate_period_seconds, DROP COLUMN rate_limit`);
  }
}
