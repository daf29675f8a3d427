import type { DataSource } from 'typeorm';

/** What the runtime role may do to one table; `update` lists the only columns it may change. */
export interface TableGrant {
  readonly table: string;
  readonly privileges: readonly ('SELECT' | 'INSERT' | 'DELETE')[];
  readonly update?: readonly string[];
}

const quote = (identifier: string): string => `"${identifier.replaceAll('"', '""')}"`;

/**
 * Gives the service's runtime role exactly `grants` and nothing more: every listed table's
 * privileges are revoked first, so a privilege dropped from the list is gone after the next boot.
 * The runtime role owns nothing, so it cannot alter a table, disable a trigger or truncate.
 * Runs as the owner of the schema, in one transaction; idempotent.
 */
export async function grantRuntimePrivileges(
  owner: DataSource,
  runtimeRole: string,
  grants: readonly TableGrant[],
): Promise<void> {
  const role = quote(runtimeRole);
  // Read before the transaction takes a connection: the migration lock may hold the pool's other one.
  const schema = quote(await currentSchema(owner));
  await owner.transaction(async (manager) => {
    await manager.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
    for (const { table, privileges, update } of grants) {
      await manager.query(`REVOKE ALL ON TABLE ${quote(table)} FROM ${role}`);
      if (privileges.length > 0) {
        await manager.query(`GRANT ${privileges.join(', ')} ON TABLE ${quote(table)} TO ${role}`);
      }
      if (update !== undefined && update.length > 0) {
        await manager.query(
          `GRANT UPDATE (${update.map(quote).join(', ')}) ON TABLE ${quote(table)} TO ${role}`,
        );
      }
    }
  });
}

async function currentSchema(dataSource: DataSource): Promise<string> {
  const [row] = await dataSource.query<{ schema: string }[]>('SELECT current_schema() AS schema');
  if (row === undefined) throw new Error('no current schema');
  return row.schema;
}

/** The role a data source connects as. */
export async function currentRole(dataSource: DataSource): Promise<string> {
  const [row] = await dataSource.query<{ role: string }[]>('SELECT current_user AS role');
  if (row === undefined) throw new Error('SELECT current_user returned no row');
  return row.role;
}
