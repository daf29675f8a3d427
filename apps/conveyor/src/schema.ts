import { AUTH_ENTITIES, AUTH_MIGRATIONS } from '#conveyor/auth';
import { JOBS_ENTITIES, JOBS_MIGRATIONS } from '#conveyor/jobs';

/** Every entity and migration of the service: the app, the TypeORM CLI and the drift check use these. */
export const CONVEYOR_ENTITIES = [...JOBS_ENTITIES, ...AUTH_ENTITIES];
export const CONVEYOR_MIGRATIONS = [...JOBS_MIGRATIONS, ...AUTH_MIGRATIONS];
