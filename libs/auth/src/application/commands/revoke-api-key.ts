import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiKeyNotFoundError } from '../../domain/auth.errors.js';
import { API_KEY_STORE, type ApiKeyStore, type ApiKeyView } from '../ports/api-key-store.js';
import { Authenticator } from '../authenticator.js';

/** Revokes a key at once on this instance, and on the others within CONVEYOR_AUTH_CACHE_SECONDS. */
export class RevokeApiKeyCommand extends Command<ApiKeyView> {
  constructor(readonly id: string) {
    super();
  }
}

@CommandHandler(RevokeApiKeyCommand)
export class RevokeApiKeyHandler implements ICommandHandler<RevokeApiKeyCommand> {
  constructor(
    @Inject(API_KEY_STORE) private readonly keys: ApiKeyStore,
    private readonly authenticator: Authenticator,
  ) {}

  async execute({ id }: RevokeApiKeyCommand): Promise<ApiKeyView> {
    const revoked = await this.keys.revoke(id);
    if (revoked === null) throw new ApiKeyNotFoundError(id);
    this.authenticator.forget(revoked.id);
    return revoked;
  }
}
