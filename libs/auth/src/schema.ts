import type { TableGrant } from '#conveyor/database';
import { ApiKeyEntity } from './infrastructure/api-key.entity.js';
import { CreateApiKeys1764720000000 } from './infrastructure/migrations/1764720000000-create-api-keys.js';
import { QueuesScope1765238400001 } from './infrastructure/migrations/1765238400001-queues-scope.js';

export const AUTH_ENTITIES = [ApiKeyEntity];
export const AUTH_MIGRATIONS = [CreateApiKeys1764720000000, QueuesScope1765238400001];

/** The runtime role reads keys, creates them, and revokes them (sets revoked_at); it deletes none. */
export const AUTH_RUNTIME_GRANTS: readonly TableGrant[] = [
  { table: 'api_keys', privileges: ['SELECT', 'INSERT'], update: ['revoked_at'] },
];
