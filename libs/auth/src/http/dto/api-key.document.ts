import { ApiProperty, PickType } from '@nestjs/swagger';
import type { Wire } from '#conveyor/http';
import type { CreatedApiKey } from '../../application/commands/create-api-key.js';
import type { ApiKeyView, CallerView } from '../../application/ports/api-key-store.js';
import { SCOPES, type Scope } from '../../domain/scopes.js';

/** An API key as GET /v1/admin/api-keys shows it (OpenAPI only). */
export class ApiKeyDocument implements Wire<ApiKeyView> {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty()
  namespace: string;

  @ApiProperty({ enum: SCOPES, isArray: true })
  scopes: Scope[];

  @ApiProperty({ description: 'The first characters of the key, to tell keys apart.', example: 'cvk_Q2x9aB' })
  keyPrefix: string;

  @ApiProperty({ type: 'integer', nullable: true, description: 'null: the service default.' })
  submitPerSecond: number | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'null: the service default.' })
  readPerSecond: number | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, description: 'null: never.' })
  expiresAt: string | null;

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, description: 'null: not revoked.' })
  revokedAt: string | null;
}

export class CreatedApiKeyDocument extends ApiKeyDocument implements Wire<CreatedApiKey> {
  @ApiProperty({ description: 'The key. Store it now: it is not kept and cannot be shown again.' })
  key: string;
}

export class ApiKeyListDocument implements Wire<{ keys: ApiKeyView[] }> {
  @ApiProperty({ type: [ApiKeyDocument] })
  keys: ApiKeyDocument[];
}

/** GET /v1/me: the calling key, as an admin's list shows it, less what only admins need. */
export class CallerDocument
  extends PickType(ApiKeyDocument, ['id', 'name', 'namespace', 'scopes', 'expiresAt'] as const)
  implements Wire<CallerView> {}
