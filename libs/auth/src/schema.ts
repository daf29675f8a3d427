import { ApiKeyEntity } from './infrastructure/api-key.entity.js';
import { CreateApiKeys1764720000000 } from './infrastructure/migrations/1764720000000-create-api-keys.js';

export const AUTH_ENTITIES = [ApiKeyEntity];
export const AUTH_MIGRATIONS = [CreateApiKeys1764720000000];
