/**
 * The TypeORM DataSource for the CLI (`npm run migration:run`, `migration:revert`,
 * `migration:generate`). With DATABASE_URL unset it starts the same embedded PostgreSQL as
 * `npm start`; the server stops by itself when the CLI exits.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '#conveyor/config';
import { dataSourceOptions, openDatabase } from '#conveyor/database';
import { CONVEYOR_ENTITIES, CONVEYOR_MIGRATIONS } from '#conveyor-schema';

const config = loadConfig();
const database = await openDatabase({
  databaseUrl: config.databaseUrl,
  dataDir: config.dataDir,
  embeddedPort: config.embeddedPostgresPort,
});

export default new DataSource(
  dataSourceOptions({
    url: database.url,
    poolSize: 2,
    entities: CONVEYOR_ENTITIES,
    migrations: CONVEYOR_MIGRATIONS,
    applicationName: 'conveyor-cli',
  }),
);
