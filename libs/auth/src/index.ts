export { AuthHttpModule, AuthModule } from './auth.module.js';
export { AUTH_ENTITIES, AUTH_MIGRATIONS } from './schema.js';
export { NAMESPACE_RULE, isNamespace } from './domain/namespace.js';
export { InvalidApiKeyFieldError } from './domain/auth.errors.js';
export { CreateApiKeyCommand, CreateApiKeyHandler } from './application/commands/create-api-key.js';
export { ApiKeyRepository, type ApiKeyView } from './infrastructure/api-key.repository.js';
export { CreateApiKeyBody, createApiKeyInput } from './http/dto/create-api-key.body.js';
export { MetricsAccess, nodeRequest, Public, RequestNamespace } from './http/access.js';
export { API_KEY_SECURITY, Requires } from './http/requires.js';
