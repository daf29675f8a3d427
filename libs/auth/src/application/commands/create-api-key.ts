import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { displayPrefix, generateApiKey, hashApiKey } from '../../domain/api-key-secret.js';
import { InvalidApiKeyFieldError } from '../../domain/auth.errors.js';
import type { Scope } from '../../domain/scopes.js';
import { API_KEY_STORE, type ApiKeyStore, type ApiKeyView } from '../ports/api-key-store.js';

export interface CreateApiKeyInput {
  name: string;
  namespace: string;
  scopes: readonly Scope[];
  expiresAt: Date | null;
  submitPerSecond: number | null;
  readPerSecond: number | null;
}

/** The new key, in clear, exactly once; then only its description. */
export interface CreatedApiKey extends ApiKeyView {
  key: string;
}

export class CreateApiKeyCommand extends Command<CreatedApiKey> {
  constructor(readonly input: CreateApiKeyInput) {
    super();
  }
}

/** Also run directly by the `apikey` CLI, outside Nest. */
@CommandHandler(CreateApiKeyCommand)
export class CreateApiKeyHandler implements ICommandHandler<CreateApiKeyCommand> {
  constructor(@Inject(API_KEY_STORE) private readonly keys: ApiKeyStore) {}

  async execute({ input }: CreateApiKeyCommand): Promise<CreatedApiKey> {
    if (input.expiresAt !== null && !(await this.keys.isFuture(input.expiresAt))) {
      throw new InvalidApiKeyFieldError('expiresAt', 'expiresAt must be in the future');
    }
    const key = generateApiKey();
    const view = await this.keys.insert({
      ...input,
      scopes: [...new Set(input.scopes)],
      keyHash: hashApiKey(key),
      keyPrefix: displayPrefix(key),
    });
    return { ...view, key };
  }
}
