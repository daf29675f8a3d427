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
import { SCOPES, type Scope } from '../../domain/scopes.js';

const MAX_RATE = 1_000_000;

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
  @IsString()
  @Matches(NAMESPACE_PATTERN, { message: `$property must be ${NAMESPACE_RULE}` })
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

  @ApiPropertyOptional({
    description:
      'Submits (and cancel, retry, redrive) per second; 0 is unlimited. Default: CONVEYOR_RATE_LIMIT_SUBMIT.',
    minimum: 0,
    maximum: MAX_RATE,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_RATE)
  submitPerSecond?: number;

  @ApiPropertyOptional({
    description: 'Reads per second; 0 is unlimited. Default: CONVEYOR_RATE_LIMIT_READ.',
    minimum: 0,
    maximum: MAX_RATE,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_RATE)
  readPerSecond?: number;
}

export class ListApiKeysParams {
  @ApiPropertyOptional({ description: 'Only the keys of this namespace.' })
  @IsOptional()
  @IsString()
  @Matches(NAMESPACE_PATTERN, { message: `$property must be ${NAMESPACE_RULE}` })
  namespace?: string;
}
