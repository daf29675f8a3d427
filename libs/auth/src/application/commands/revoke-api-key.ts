import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApiKeyNotFoundError } from '../../domain/auth.errors.js';
import { ApiKeyRepository, type ApiKeyView } from '../../infrastructure/api-key.repository.js';
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
    private readonly repository: ApiKeyRepository,
    private readonly authenticator: Authenticator,
  ) {}

  async execute({ id }: RevokeApiKeyCommand): Promise<ApiKeyView> {
    const revoked = await this.repository.revoke(id);
    if (revoked === null) throw new ApiKeyNotFoundError(id);
    this.authenticator.forget(revoked.id);
    return revoked;
  }
}
