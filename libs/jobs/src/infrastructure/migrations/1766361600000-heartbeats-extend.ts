import type { MigrationInterface, QueryRunner } from 'typeorm';
import { rewriteFunction } from './rewrite-function.js';

const HEARTBEAT_BEFORE = `
              refusal := 'a held job changes only the end of its lease, unless it is claimed again';
            END IF;`;

const HEARTBEAT_AFTER = `
              refusal := 'a held job changes only the end of its lease, unless it is claimed again';
            ELSIF NEW.lease_expires_at IS NULL OR NEW.lease_expires_at < OLD.lease_expires_at THEN
              refusal := 'a heartbeat extends a lease, it never shortens it';
            END IF;`;

/**
 * A heartbeat extends a lease and never shortens it (sql/lease.sql.ts, EXTEND_LEASES), and the
 * guard holds every writer to that. Before, the guard let a heartbeat move the lease's end
 * anywhere, so a role that may update jobs could end a live lease (set its end in the past) and
 * then claim the job again with a token of its own: two statements, each legal on its own, that
 * took a job from the worker holding it. Now a live lease ends only by running out in real time,
 * or by a settlement or a release under its token.
 */
export class HeartbeatsExtend1766361600000 implements MigrationInterface {
  name = 'HeartbeatsExtend1766361600000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(rewriteFunction('conveyor_jobs_guard()', HEARTBEAT_BEFORE, HEARTBEAT_AFTER));
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(rewriteFunction('conveyor_jobs_guard()', HEARTBEAT_AFTER, HEARTBEAT_BEFORE));
  }
}
