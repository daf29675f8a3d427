import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { Authenticator } from './application/authenticator.js';
import { BootstrapAdminKey } from './application/bootstrap-admin-key.js';
import { CreateApiKeyHandler } from './application/commands/create-api-key.js';
import { RevokeApiKeyHandler } from './application/commands/revoke-api-key.js';
import { API_KEY_STORE } from './application/ports/api-key-store.js';
import { ListApiKeysHandler } from './application/queries/list-api-keys.js';
import { RateLimiter } from './application/rate-limiter.js';
import { ApiKeysController } from './http/api-keys.controller.js';
import { MeController } from './http/me.controller.js';
import { AuthGuard } from './http/auth.guard.js';
import { KeyCheck } from './http/key-check.js';
import { ApiKeyRepository } from './infrastructure/api-key.repository.js';

/**
 * API keys, scopes, namespaces and rate limits. Installs AuthGuard for every route of the app:
 * routes say who may call them with RequireScope / RequireKey / Public. Needs
 * CqrsModule.forRoot(), ConfigModule and DatabaseModule.
 */
@Module({
  providers: [
    { provide: API_KEY_STORE, useClass: ApiKeyRepository },
    Authenticator,
    RateLimiter,
    BootstrapAdminKey,
    CreateApiKeyHandler,
    RevokeApiKeyHandler,
    ListApiKeysHandler,
    KeyCheck,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [KeyCheck],
})
export class AuthModule {}

/** Key management and GET /v1/me over REST; left out of worker-only instances like the jobs API. */
@Module({
  imports: [AuthModule],
  controllers: [ApiKeysController, MeController],
})
export class AuthHttpModule {}
