import type { DataSource } from 'typeorm';

/** Arbitrary but fixed: every Conveyor instance agrees on it. */
const MIGRATION_LOCK_KEY = 0x0c0e7e01;

/**
 * Applies pending migrations while holding a session advisory lock, so several replicas booting at
 * once apply each migration exactly once; the others wait, then find nothing left to do.
 */
export async function runMigrations(dataSource: DataSource): Promise<number> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.length;
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
