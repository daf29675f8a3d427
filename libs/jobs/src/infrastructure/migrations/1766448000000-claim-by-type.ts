import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Due jobs by type within their queue, in the claim's order: the claim of one type (each in-process
 * handler claims its own, sql/claim.sql.ts) reads its type's jobs and no other. Before, handlers of
 * the queue `default` shared jobs_claim_due_idx, and each claim of a type with little work walked
 * past the whole backlog of the others (100,000 `sleep` jobs made every `noop` claim read 100,000
 * rows, 200 ms). Partial on the statuses a claim takes, like jobs_claim_due_idx: finished jobs are
 * not in it.
 *
 * Built CONCURRENTLY, outside a transaction: on a table of millions of jobs the build reads the
 * whole table, and a plain CREATE INDEX would hold every submit and claim for that long. A build
 * that failed half way leaves an invalid index behind; it is dropped and built again.
 */
export class ClaimByType1766448000000 implements MigrationInterface {
  name = 'ClaimByType1766448000000';
  transaction = false;

  async up(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX CONCURRENTLY IF EXISTS jobs_claim_due_type_idx');
    await db.query(`
      CREATE INDEX CONCURRENTLY jobs_claim_due_type_idx
      ON jobs (namespace, queue, type, priority DESC, run_at, created_at)
      WHERE status IN ('pending', 'failed')`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX CONCURRENTLY IF EXISTS jobs_claim_due_type_idx');
  }
}
