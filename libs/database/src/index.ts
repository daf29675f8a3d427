export { dataSourceOptions, type DataSourceInputs } from './data-source-options.js';
export { dropDatabase, ensureDatabase, withDatabase } from './database-url.js';
export {
  freePort,
  startEmbeddedPostgres,
  type EmbeddedPostgresHandle,
  type EmbeddedPostgresOptions,
} from './embedded/embedded-postgres.js';
export { type ScratchServer, startScratchPostgres } from './embedded/scratch-postgres.js';
export { type ScratchPgBouncer, startScratchPgBouncer } from './scratch-pgbouncer.js';
export { type Postmaster, runningPostmaster } from './embedded/postmaster.js';
export { runMigrations } from './migrate.js';
export { openDatabase, type DatabaseServer, type OpenDatabaseOptions } from './open-database.js';
export { DatabaseModule, type DatabaseModuleOptions } from './database.module.js';
export { Sql } from './sql.js';
export { DatabaseOutage, isDatabaseUnavailable } from './outage.js';
export { currentRole, type TableGrant } from './grants.js';
export { type DatabaseUrls, EMBEDDED_ROLES, provisionRoles, type RoleNames } from './roles.js';
