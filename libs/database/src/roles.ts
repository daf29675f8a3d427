import pg from 'pg';
import { withDatabase } from './database-url.js';

/** The two roles a database Conveyor administers is used with (embedded, tests). */
export interface RoleNames {
  /** Owns the schema: runs the migrations and grants the runtime role its privileges. */
  owner: string;
  /** The service's own connection: may read and write rows as the lifecycle does, and nothing else. */
  runtime: string;
}

export const EMBEDDED_ROLES: RoleNames = { owner: 'conveyor_owner', runtime: 'conveyor_app' };

/** Where the service connects (the runtime role), and where its migrations run (the owner). */
export interface DatabaseUrls {
  readonly runtime: string;
  readonly owner: string;
}

function withCredentials(url: string, user: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(user);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

/** Arbitrary but fixed: provisionRoles calls on one server take turns. */
const PROVISION_LOCK_KEY = 0x0c0e7e02;

/**
 * On a server we hold a superuser of (`superuserUrl`): makes sure both roles exist with `password`,
 * that `database` exists and belongs to the owner role, and that its schema and every object in it
 * do too (a database first made by an earlier version belonged to the superuser). The runtime role
 * may connect and use the schema; its table privileges come with the migrations
 * (grantRuntimePrivileges). Returns the URLs of both roles.
 */
export async function provisionRoles(
  superuserUrl: string,
  database: string,
  roles: RoleNames,
  password: string,
): Promise<DatabaseUrls> {
  const server = new pg.Client({ connectionString: superuserUrl });
  await server.connect();
  try {
    // One provisioning at a time on the server (test files run in parallel): roles are server-wide,
    // and concurrent ALTER ROLEs of one role fail with "tuple concurrently updated".
    await server.query('BEGIN');
    try {
      await server.query('SELECT pg_advisory_xact_lock($1)', [PROVISION_LOCK_KEY]);
      for (const role of [roles.owner, roles.runtime]) {
        const name = server.escapeIdentifier(role);
        const secret = server.escapeLiteral(password);
        const exists = await server.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
        await server.query(
          `${exists.rowCount === 0 ? 'CREATE' : 'ALTER'} ROLE ${name} LOGIN PASSWORD ${secret}`,
        );
      }
      await server.query('COMMIT');
    } catch (error) {
      await server.query('ROLLBACK');
      throw error;
    }
    const owner = server.escapeIdentifier(roles.owner);
    const found = await server.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await server.query(`CREATE DATABASE ${server.escapeIdentifier(database)} OWNER ${owner}`);
    } else {
      await server.query(`ALTER DATABASE ${server.escapeIdentifier(database)} OWNER TO ${owner}`);
    }
  } finally {
    await server.end();
  }

  const inDatabase = new pg.Client({ connectionString: withDatabase(superuserUrl, database) });
  await inDatabase.connect();
  try {
    await inDatabase.query(`
      DO $$
      DECLARE object record;
      BEGIN
        EXECUTE format('ALTER SCHEMA %I OWNER TO %I', current_schema(), ${inDatabase.escapeLiteral(roles.owner)});
        FOR object IN
          SELECT c.relname AS name, c.relkind AS kind FROM pg_class c
          WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
            AND c.relowner <> ${inDatabase.escapeLiteral(roles.owner)}::regrole
        LOOP
          EXECUTE format('ALTER TABLE %I OWNER TO %I', object.name, ${inDatabase.escapeLiteral(roles.owner)});
        END LOOP;
        -- An extension's functions (pg_trgm's) stay its own: the extension is dropped and updated whole.
        FOR object IN
          SELECT p.oid::regprocedure AS name FROM pg_proc p
          WHERE p.pronamespace = current_schema()::regnamespace
            AND p.proowner <> ${inDatabase.escapeLiteral(roles.owner)}::regrole
            AND NOT EXISTS (
              SELECT 1 FROM pg_depend d
              WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
            )
        LOOP
          EXECUTE format('ALTER FUNCTION %s OWNER TO %I', object.name, ${inDatabase.escapeLiteral(roles.owner)});
        END LOOP;
      END
      $$`);
    await inDatabase.query(
      `GRANT CONNECT ON DATABASE ${inDatabase.escapeIdentifier(database)} TO ${inDatabase.escapeIdentifier(roles.runtime)}`,
    );
  } finally {
    await inDatabase.end();
  }
  const url = withDatabase(superuserUrl, database);
  return {
    owner: withCredentials(url, roles.owner, password),
    runtime: withCredentials(url, roles.runtime, password),
  };
}
