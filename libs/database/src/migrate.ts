import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { currentRole, grantRuntimePrivileges, type TableGrant } from './grants.js';

/** Arbitrary but fixed: every Conveyor instance agrees on it. */
const MIGRATION_LOCK_KEY = 0x0c0e7e01;
/** How often a replica that waits for another's migrations asks for the lock again. */
const MIGRATION_LOCK_POLL_MS = 200;

/** The service's runtime role, and what it is granted once the schema is migrated. */
export interface RuntimeGrants {
  readonly role: string;
  readonly grants: readonly TableGrant[];
}

/**
 * Applies pending migrations while holding a session advisory lock, so several replicas booting at
 * once apply each migration exactly once; the others wait, then find nothing left to do. When
 * `runtime` names a role other than `dataSource`'s, it is granted its privileges under the same
 * lock: replicas that GRANT on one table at once fail with "tuple concurrently updated".
 */
export async function runMigrations(dataSource: DataSource, runtime?: RuntimeGrants): Promise<number> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    // Asked for again and again rather than waited for in pg_advisory_lock: a session waiting
    // inside a statement holds a snapshot, and a CREATE INDEX CONCURRENTLY in the migrations
    // running meanwhile would wait for that snapshot to go, a wait no deadlock check sees.
    for (;;) {
      const [row] = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [
        MIGRATION_LOCK_KEY,
      ])) as { locked: boolean }[];
      if (row?.locked === true) break;
      await sleep(MIGRATION_LOCK_POLL_MS);
    }
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      if (runtime !== undefined && runtime.role !== (await currentRole(dataSource))) {
        await grantRuntimePrivileges(dataSource, runtime.role, runtime.grants);
      }
      return applied.length;
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
