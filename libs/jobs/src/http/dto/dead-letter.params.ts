import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsUUID, Max, Min } from 'class-validator';
import { IsOmittable } from '#conveyor/http';
import { PageCursor } from './list-jobs.query-params.js';
import { ErrorTextFilter } from './error-text.js';
import { IsName, NAME_SCHEMA } from './names.js';

const TEN_YEARS = 10 * 365 * 24 * 60 * 60;

/** Filters shared by listing and redriving dead letters. */
export class DeadLetterFilterParams {
  @ApiPropertyOptional({ ...NAME_SCHEMA, description: 'Only jobs of this queue.', example: 'default' })
  @IsOmittable()
  @IsName()
  queue?: string;

  @ApiPropertyOptional({ ...NAME_SCHEMA, description: 'Only jobs of this type.', example: 'email.send' })
  @IsOmittable()
  @IsName()
  type?: string;

  @ErrorTextFilter()
  error?: string;

  /** Dead-lettered at least this many seconds ago. */
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: TEN_YEARS,
    description: 'Only jobs dead-lettered at least this many seconds ago (0 to 10 years).',
    example: 3600,
  })
  @IsOmittable()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(TEN_YEARS)
  minAgeSeconds?: number;

  /** Dead-lettered at most this many seconds ago. */
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: TEN_YEARS,
    description: 'Only jobs dead-lettered at most this many seconds ago (0 to 10 years).',
    example: 86400,
  })
  @IsOmittable()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(TEN_YEARS)
  maxAgeSeconds?: number;
}

export class ListDeadLettersParams extends DeadLetterFilterParams {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 500,
    default: 50,
    description: 'Page size, 1–500.',
  })
  @IsOmittable()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @PageCursor()
  cursor?: string;
}

export class RedriveBody extends DeadLetterFilterParams {
  /** Exactly these jobs (still only those that are dead-lettered). */
  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', format: 'uuid' },
    minItems: 1,
    maxItems: 10_000,
    description:
      'Only these jobs (1–10,000 ids), and of them only those dead-lettered and matching the filters.',
    example: ['0b5e7a52-4a8e-4f0e-9a53-7e0a0a4d8f11'],
  })
  @IsOmittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @IsUUID('all', { each: true })
  ids?: string[];
}
