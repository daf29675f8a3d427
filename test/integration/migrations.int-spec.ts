import { runMigrations } from '#conveyor/database';
import { CONVEYOR_MIGRATIONS, CONVEYOR_RUNTIME_GRANTS } from '#conveyor-schema';
import { appliedMigrations, createEmptyDatabase, ownerDataSource } from '../support/database.js';

// Replicas booting at once on an empty database, each migrating as the schema's owner and then
// granting the runtime role its privileges, as the service's boot does (docs/scaling.md).

it('applies each migration once, and grants the runtime role without a conflict, when four instances migrate at once', async () => {
  const db = await createEmptyDatabase();
  const owners = Array.from({ length: 4 }, () => ownerDataSource(db));
  try {
    await Promise.all(owners.map((owner) => owner.initialize()));
    // Concurrent GRANTs on one table fail ("tuple concurrently updated"): the grants take turns too.
    const applied = await Promise.all(
      owners.map((owner) => runMigrations(owner, { role: db.runtimeRole, grants: CONVEYOR_RUNTIME_GRANTS })),
    );
    expect(applied.sort((a, b) => a - b)).toEqual([0, 0, 0, CONVEYOR_MIGRATIONS.length]);
    expect(await appliedMigrations(db)).toEqual(new Map(CONVEYOR_MIGRATIONS.map(({ name }) => [name, 1])));
    const { rows } = await db.client.query<{ submits: boolean }>(
      `SELECT has_table_privilege($1, 'jobs', 'INSERT') AS submits`,
      [db.runtimeRole],
    );
    expect(rows).toEqual([{ submits: true }]);
  } finally {
    await Promise.all(owners.map((owner) => owner.destroy()));
    await db.drop();
  }
});
