import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The waiting jobs of each concurrency key, in the order the claim takes them. A claim of a queue
 * with a per-key limit walks it key by key (one index descent per key) to find every waiting key's
 * first jobs, so that a key whose backlog fills the front of the queue cannot hide the others
 * (claim.sql.ts, `keys_after`, `keys_before` and `key_heads`). `key_cursor` is where the last walk
 * of the queue stopped: the next one starts past it, so claims go round the keys.
 */
export class WaitingKeys1765843200000 implements MigrationInterface {
  name = 'WaitingKeys1765843200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE INDEX jobs_waiting_by_key_idx ON jobs (namespace, queue, concurrency_key, priority DESC, run_at, created_at)
      WHERE status IN ('pending', 'failed') AND concurrency_key IS NOT NULL`);
    await db.query('ALTER TABLE queue_controls ADD COLUMN key_cursor varchar(255)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE queue_controls DROP COLUMN key_cursor');
    await db.query('DROP INDEX jobs_waiting_by_key_idx');
  }
}
