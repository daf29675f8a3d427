import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { API_KEY_STORE, type ApiKeyStore, type ApiKeyView } from '../ports/api-key-store.js';

/** Every key, revoked and expired ones included (they are the audit trail), newest first. */
export class ListApiKeysQuery extends Query<{ keys: ApiKeyView[] }> {
  constructor(readonly namespace: string | null) {
    super();
  }
}

@QueryHandler(ListApiKeysQuery)
export class ListApiKeysHandler implements IQueryHandler<ListApiKeysQuery> {
  constructor(@Inject(API_KEY_STORE) private readonly keys: ApiKeyStore) {}

  async execute({ namespace }: ListApiKeysQuery): Promise<{ keys: ApiKeyView[] }> {
    return { keys: await this.keys.list(namespace) };
  }
}
