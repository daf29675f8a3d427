// Migration drift check: builds a scratch database from the migrations alone, then asks TypeORM
// what it would still change to match the entities (what `migration:generate --check` does).
// Any pending statement means the entities and the migrations disagree: exit 1 and print them.
// Uses DATABASE_URL's server when set, otherwise a throwaway embedded PostgreSQL.
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  dataSourceOptions,
  dropDatabase,
  ensureDatabase,
  runMigrations,
  startScratchPostgres,
  withDatabase,
} from '#conveyor/database';
import { CONVEYOR_ENTITIES, CONVEYOR_MIGRATIONS } from '#conveyor-schema';

const server = await startScratchPostgres();
const serverUrl = server.url;

const name = `conveyor_drift_${randomBytes(4).toString('hex')}`;
await ensureDatabase(serverUrl, name);
const dataSource = new DataSource(
  dataSourceOptions({
    url: withDatabase(serverUrl, name),
    poolSize: 2,
    entities: CONVEYOR_ENTITIES,
    migrations: CONVEYOR_MIGRATIONS,
  }),
);
let drift;
try {
  await dataSource.initialize();
  await runMigrations(dataSource);
  const pending = await dataSource.driver.createSchemaBuilder().log();
  drift = pending.upQueries.map((query) => query.query);
} finally {
  await dataSource.destroy();
  await dropDatabase(serverUrl, name);
  await server.stop();
}

if (drift.length > 0) {
  console.error('Entities and migrations disagree. A migration is missing for:');
  for (const query of drift) console.error(`  ${query};`);
  process.exit(1);
}
console.log(`migration drift check: ${CONVEYOR_MIGRATIONS.length} migration(s) match the entities`);
