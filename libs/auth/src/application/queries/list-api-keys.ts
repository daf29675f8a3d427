import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ApiKeyRepository, type ApiKeyView } from '../../infrastructure/api-key.repository.js';

/** Every key, revoked and expired ones included (they are the audit trail), newest first. */
export class ListApiKeysQuery extends Query<{ keys: ApiKeyView[] }> {
  constructor(readonly namespace: string | null) {
    super();
  }
}

@QueryHandler(ListApiKeysQuery)
export class ListApiKeysHandler implements IQueryHandler<ListApiKeysQuery> {
  constructor(private readonly repository: ApiKeyRepository) {}

  async execute({ namespace }: ListApiKeysQuery): Promise<{ keys: ApiKeyView[] }> {
    return { keys: await this.repository.list(namespace) };
  }
}
