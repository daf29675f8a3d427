import type { MigrationInterface, QueryRunner } from 'typeorm';
import { rewriteFunction } from './rewrite-function.js';

const TRANSITIONS_BEFORE = `
          ('pending', 'processing'), ('pending', 'cancelled'),
          ('processing', 'completed'), ('processing', 'failed'), ('processing', 'dead_letter'),
          ('processing', 'processing'), ('processing', 'pending'),
          ('failed', 'processing'), ('failed', 'cancelled'),
          ('dead_letter', 'pending'), ('cancelled', 'pending')`;

/** The guard's rule for how a lease ends when its job leaves processing, before and after. */
const LEASE_END_BEFORE = `WHEN 'pending' THEN 'released'`;
const LEASE_END_AFTER = `WHEN 'pending' THEN 'released' WHEN 'cancelled' THEN 'cancelled'`;

/** Rewrites one clause of conveyor_jobs_guard() (migration GuardedJobs); the rest is unchanged. */
const rewriteGuard = (from: string, to: string): string => rewriteFunction('conveyor_jobs_guard()', from, to);

/**
 * A running job can be cancelled (docs/queues.md): processing -> cancelled, its lease void at once
 * and recorded as ended `cancelled`, so that its holder is told why (409 `cancelled`).
 */
export class CancelRunning1765324800000 implements MigrationInterface {
  name = 'CancelRunning1765324800000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE OR REPLACE FUNCTION conveyor_job_transition_is_legal(from_status text, to_status text)
      RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT (from_status, to_status) IN (${TRANSITIONS_BEFORE},
          ('processing', 'cancelled'))
      $$`);
    await db.query(rewriteGuard(LEASE_END_BEFORE, LEASE_END_AFTER));
    await db.query(`ALTER TABLE jobs DROP CONSTRAINT jobs_last_lease_end_check,
      ADD CONSTRAINT jobs_last_lease_end_check
        CHECK (last_lease_end IN ('completed', 'failed', 'expired', 'released', 'cancelled'))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE jobs DROP CONSTRAINT jobs_last_lease_end_check,
      ADD CONSTRAINT jobs_last_lease_end_check
        CHECK (last_lease_end IN ('completed', 'failed', 'expired', 'released'))`);
    await db.query(rewriteGuard(LEASE_END_AFTER, LEASE_END_BEFORE));
    await db.query(`
      CREATE OR REPLACE FUNCTION conveyor_job_transition_is_legal(from_status text, to_status text)
      RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT (from_status, to_status) IN (${TRANSITIONS_BEFORE})
      $$`);
  }
}
