import type { DataSource } from 'typeorm';
import { currentRole, grantRuntimePrivileges, type TableGrant } from './grants.js';

/** Arbitrary but fixed: every Conveyor instance agrees on it. */
const MIGRATION_LOCK_KEY = 0x0c0e7e01;

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
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
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
