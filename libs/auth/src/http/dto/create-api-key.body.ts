import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { PRINTABLE_MESSAGE, PRINTABLE_PATTERN } from '#conveyor/http';
import { NAMESPACE_PATTERN, NAMESPACE_RULE } from '../../domain/namespace.js';
import type { CreateApiKeyInput } from '../../application/commands/create-api-key.js';
import { SCOPES, type Scope } from '../../domain/scopes.js';

const MAX_RATE = 1_000_000;

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
      description: `${what}; 0 is unlimited. Default: ${defaultVariable}.`,
      minimum: 0,
      maximum: MAX_RATE,
    }),
    IsOptional(),
    IsInt(),
    Min(0),
    Max(MAX_RATE),
  );
}

export class CreateApiKeyBody {
  @ApiProperty({
    description: 'What the key is for, shown in lists.',
    maxLength: 255,
    example: 'billing-api',
  })
  @IsString()
  @Length(1, 255)
  @Matches(PRINTABLE_PATTERN, { message: PRINTABLE_MESSAGE })
  name: string;

  @ApiProperty({ description: `The namespace the key acts in: ${NAMESPACE_RULE}.`, example: 'billing' })
  @IsNamespaceName()
  namespace: string;

  @ApiProperty({ enum: SCOPES, isArray: true, example: ['jobs:submit', 'jobs:read'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(SCOPES.length)
  @IsIn(SCOPES, { each: true })
  scopes: Scope[];

  @ApiPropertyOptional({ description: 'When the key stops working (ISO 8601); never by default.' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
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
    expiresAt: body.expiresAt === undefined ? null : new Date(body.expiresAt),
    submitPerSecond: body.submitPerSecond ?? null,
    readPerSecond: body.readPerSecond ?? null,
  };
}

export class ListApiKeysParams {
  @ApiPropertyOptional({ description: 'Only the keys of this namespace.' })
  @IsOptional()
  @IsNamespaceName()
  namespace?: string;
}
