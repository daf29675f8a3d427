export { AuthHttpModule, AuthModule } from './auth.module.js';
export { AUTH_ENTITIES, AUTH_MIGRATIONS } from './schema.js';
export { SCOPES, type Scope, isScope, grants } from './domain/scopes.js';
export { NAMESPACE_PATTERN, NAMESPACE_RULE, isNamespace } from './domain/namespace.js';
export type { Principal } from './domain/principal.js';
export { hashApiKey } from './domain/api-key-secret.js';
export { ApiKeyNotFoundError, InvalidApiKeyFieldError } from './domain/auth.errors.js';
export { type RateClass, RateLimiter } from './application/rate-limiter.js';
export {
  CreateApiKeyCommand,
  CreateApiKeyHandler,
  type CreateApiKeyInput,
  type CreatedApiKey,
} from './application/commands/create-api-key.js';
export { ApiKeyRepository, type ApiKeyView } from './infrastructure/api-key.repository.js';
export { CreateApiKeyBody, createApiKeyInput } from './http/dto/create-api-key.body.js';
export {
  type AuthenticatedRequest,
  MetricsAccess,
  Public,
  RequestNamespace,
  type RequestAuth,
  type RequestCost,
} from './http/access.js';
export { API_KEY_SECURITY, Requires } from './http/requires.js';
export { NAMESPACE_HEADER } from './http/auth.guard.js';
