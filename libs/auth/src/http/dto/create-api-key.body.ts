import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsString,
  Matches,
  Max,
  Min,
} from 'class-validator';
import {
  CharLength,
  IsOmittable,
  IsTimestamp,
  PRINTABLE_MESSAGE,
  PRINTABLE_PATTERN,
  TIMESTAMP_RULE,
  validTimestamp,
} from '#conveyor/http';
import { NAMESPACE_PATTERN, NAMESPACE_RULE } from '../../domain/namespace.js';
import type { CreateApiKeyInput } from '../../application/commands/create-api-key.js';
import { SCOPES, type Scope } from '../../domain/scopes.js';

const MAX_RATE = 1_000_000;

/** The OpenAPI schema of a namespace name (what IsNamespaceName checks). */
const NAMESPACE_SCHEMA = { type: 'string', pattern: NAMESPACE_PATTERN.source } as const;

function IsNamespaceName(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    Matches(NAMESPACE_PATTERN, { message: `$property must be ${NAMESPACE_RULE}` }),
  );
}

/** An optional per-key token-bucket rate; null (absent) takes the service default. */
function RatePerSecond(what: string, defaultVariable: string): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      type: 'integer',
      description: `${what}; 0 is unlimited. Default: ${defaultVariable}.`,
      minimum: 0,
      maximum: MAX_RATE,
    }),
    IsOmittable(),
    IsInt(),
    Min(0),
    Max(MAX_RATE),
  );
}

export class CreateApiKeyBody {
  @ApiProperty({
    description: 'What the key is for, shown in lists: 1–255 characters, no control characters.',
    minLength: 1,
    maxLength: 255,
    example: 'billing-api',
  })
  @IsString()
  @CharLength(1, 255)
  @Matches(PRINTABLE_PATTERN, { message: PRINTABLE_MESSAGE })
  name: string;

  @ApiProperty({
    ...NAMESPACE_SCHEMA,
    description: `The namespace the key acts in: ${NAMESPACE_RULE}.`,
    example: 'billing',
  })
  @IsNamespaceName()
  namespace: string;

  @ApiProperty({ enum: SCOPES, isArray: true, example: ['jobs:submit', 'jobs:read'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SCOPES.length)
  @IsIn(SCOPES, { each: true })
  scopes: Scope[];

  @ApiPropertyOptional({
    type: 'string',
    format: 'date-time',
    description: `When the key stops working: ${TIMESTAMP_RULE}. Default: never.`,
  })
  @IsOmittable()
  @IsTimestamp()
  expiresAt?: string;

  @RatePerSecond('Submits (and cancel, retry, redrive) per second', 'CONVEYOR_RATE_LIMIT_SUBMIT')
  submitPerSecond?: number;

  @RatePerSecond('Reads per second', 'CONVEYOR_RATE_LIMIT_READ')
  readPerSecond?: number;
}

/** What POST /v1/admin/api-keys and `npm run apikey -- create` ask for, as the command takes it. */
export function createApiKeyInput(body: CreateApiKeyBody): CreateApiKeyInput {
  return {
    name: body.name,
    namespace: body.namespace,
    scopes: body.scopes,
    expiresAt: body.expiresAt === undefined ? null : validTimestamp(body.expiresAt),
    submitPerSecond: body.submitPerSecond ?? null,
    readPerSecond: body.readPerSecond ?? null,
  };
}

export class ListApiKeysParams {
  @ApiPropertyOptional({ ...NAMESPACE_SCHEMA, description: 'Only the keys of this namespace.' })
  @IsOmittable()
  @IsNamespaceName()
  namespace?: string;
}
