import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import {
  dataSourceOptions,
  dropDatabase,
  provisionRoles,
  type RoleNames,
  runMigrations,
  withDatabase,
} from '#conveyor/database';
import { CONVEYOR_ENTITIES, CONVEYOR_MIGRATIONS, CONVEYOR_RUNTIME_GRANTS } from '#conveyor-schema';

export interface TestDatabase {
  /** Where the service connects: its least-privilege runtime role, as in production. */
  readonly url: string;
  /** The schema's owner, which ran the migrations. */
  readonly ownerUrl: string;
  /** The role of `url`: a test that creates a table of its own grants it what the service must do there. */
  readonly runtimeRole: string;
  /**
   * A plain client for raw SQL, as the owner: setting up states and checking what the service
   * wrote. The database's guards hold it too (test/support/job-rows.ts builds rows through them).
   */
  readonly client: pg.Client;
  /**
   * Ends the service's sessions on the database (those in `state` only, when given, e.g.
   * 'idle in transaction'), as a server administrator would: a fault to survive. How many it ended.
   */
  terminateConnections(state?: string): Promise<number>;
  /**
   * Ends the live leases of processing jobs `ids` now, as no role but a superuser can (the guard
   * lets a lease end only by running out, or under its token): for a test that needs an expired
   * lease without waiting one out.
   */
  expireLeases(ids: readonly string[]): Promise<void>;
  drop(): Promise<void>;
}

/** Made once per server, shared by every test database on it (roles are server-wide). */
const TEST_ROLES: RoleNames = { owner: 'conveyor_test_owner', runtime: 'conveyor_test_app' };
const TEST_ROLE_PASSWORD = 'conveyor-test-only';

function serverUrl(): string {
  const url = process.env['CONVEYOR_TEST_SERVER_URL'];
  if (url === undefined) throw new Error('CONVEYOR_TEST_SERVER_URL is unset: run the tests with `npm test`');
  return url;
}

/**
 * A fresh database for one test file, set up the way a production database is: owned by an owner
 * role that ran the real migrations and granted the runtime role what the service needs, and
 * nothing more. On the suite's server, or on `server` (a superuser URL) when given.
 */
export async function createTestDatabase(server: string = serverUrl()): Promise<TestDatabase> {
  const db = await createEmptyDatabase(server);
  const migrator = ownerDataSource(db);
  try {
    await migrator.initialize();
    try {
      await runMigrations(migrator, { role: TEST_ROLES.runtime, grants: CONVEYOR_RUNTIME_GRANTS });
    } finally {
      await migrator.destroy();
    }
  } catch (error) {
    await db.drop();
    throw error;
  }
  return db;
}

/** A DataSource (not initialized) as `db`'s owner, with the two connections a migration needs. */
export function ownerDataSource(db: TestDatabase): DataSource {
  return new DataSource(
    dataSourceOptions({
      url: db.ownerUrl,
      poolSize: 2,
      entities: CONVEYOR_ENTITIES,
      migrations: CONVEYOR_MIGRATIONS,
    }),
  );
}

/**
 * The same database with the roles but no schema yet, as a first deploy finds it: the service's
 * boot migrates it (as the owner) and grants the runtime role.
 */
export async function createEmptyDatabase(server: string = serverUrl()): Promise<TestDatabase> {
  const name = `conveyor_test_${randomBytes(6).toString('hex')}`;
  const urls = await provisionRoles(server, name, TEST_ROLES, TEST_ROLE_PASSWORD);
  const client = new pg.Client({ connectionString: urls.owner });
  await client.connect();
  return {
    url: urls.runtime,
    ownerUrl: urls.owner,
    runtimeRole: TEST_ROLES.runtime,
    client,
    terminateConnections: (state?: string) =>
      asSuperuser(server, async (admin) => {
        const { rowCount } = await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
           WHERE datname = $1 AND pid <> pg_backend_pid() AND usename <> $2
             AND ($3::text IS NULL OR state = $3)`,
          [name, TEST_ROLES.owner, state ?? null],
        );
        return rowCount ?? 0;
      }),
    expireLeases: (ids: readonly string[]) =>
      asSuperuser(withDatabase(server, name), async (admin) => {
        await admin.query('BEGIN');
        // The triggers off for this one statement: the guard's, and nothing else reacts to a lease.
        await admin.query('SET LOCAL session_replication_role = replica');
        await admin.query(
          `UPDATE jobs SET lease_expires_at = now() - interval '1 second'
           WHERE id = ANY ($1) AND status = 'processing'`,
          [ids],
        );
        await admin.query('COMMIT');
      }),
    async drop() {
      await client.end();
      await dropDatabase(server, name);
    },
  };
}

/** `use` on a connection of its own to `url` (a superuser's), closed after. */
async function asSuperuser<T>(url: string, use: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.end();
  }
}

/** How many times each migration is recorded as applied in `db`, by name. */
export async function appliedMigrations(db: TestDatabase): Promise<Map<string, number>> {
  const { rows } = await db.client.query<{ name: string; n: number }>(
    'SELECT name, count(*)::int AS n FROM conveyor_migrations GROUP BY name',
  );
  return new Map(rows.map((row) => [row.name, row.n]));
}
