import { AUTH_ENTITIES, AUTH_MIGRATIONS, AUTH_RUNTIME_GRANTS } from '#conveyor/auth';
import type { TableGrant } from '#conveyor/database';
import { JOBS_ENTITIES, JOBS_MIGRATIONS, JOBS_RUNTIME_GRANTS } from '#conveyor/jobs';

/** Every entity and migration of the service: the app, the TypeORM CLI and the drift check use these. */
export const CONVEYOR_ENTITIES = [...JOBS_ENTITIES, ...AUTH_ENTITIES];
export const CONVEYOR_MIGRATIONS = [...JOBS_MIGRATIONS, ...AUTH_MIGRATIONS];

/** Everything the service's runtime role is granted (docs/security.md, "Database roles"). */
export const CONVEYOR_RUNTIME_GRANTS: readonly TableGrant[] = [
  ...JOBS_RUNTIME_GRANTS,
  ...AUTH_RUNTIME_GRANTS,
  // Readiness reads whether every migration is applied.
  { table: 'conveyor_migrations', privileges: ['SELECT'] },
];
