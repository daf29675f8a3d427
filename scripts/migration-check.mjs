// Migration drift check: builds a scratch database from the migrations alone, then asks TypeORM
// what it would still change to match the entities (what `migration:generate --check` does).
// Any pending statement means the entities and the migrations disagree: exit 1 and print them.
// Uses DATABASE_URL's server when set, otherwise a throwaway embedded PostgreSQL.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import {
  dataSourceOptions,
  dropDatabase,
  ensureDatabase,
  runMigrations,
  startEmbeddedPostgres,
  withDatabase,
} from '#conveyor/database';
import { JOBS_ENTITIES, JOBS_MIGRATIONS } from '#conveyor/jobs';

let embedded;
let scratchDir;
let serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  scratchDir = mkdtempSync(join(tmpdir(), 'conveyor-drift-'));
  chmodSync(scratchDir, 0o755);
  embedded = await startEmbeddedPostgres({
    dataDir: join(scratchDir, 'postgres'),
    port: 0,
    persistent: false,
  });
  serverUrl = embedded.url;
}

const name = `conveyor_drift_${randomBytes(4).toString('hex')}`;
await ensureDatabase(serverUrl, name);
const dataSource = new DataSource(
  dataSourceOptions({
    url: withDatabase(serverUrl, name),
    poolSize: 2,
    entities: JOBS_ENTITIES,
    migrations: JOBS_MIGRATIONS,
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
  await embedded?.stop();
  if (scratchDir) rmSync(scratchDir, { recursive: true, force: true });
}

if (drift.length > 0) {
  console.error('Entities and migrations disagree. A migration is missing for:');
  for (const query of drift) console.error(`  ${query};`);
  process.exit(1);
}
console.log(`migration drift check: ${JOBS_MIGRATIONS.length} migration(s) match the entities`);
