import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, Max, Min, ValidateIf } from 'class-validator';
import { IsOmittable } from '#conveyor/http';
import { IsName, NAME_SCHEMA } from './names.js';
import { IsNested } from './nested.js';

export class QueueParams {
  @IsName()
  queue: string;
}

/** Pause or resume: the whole queue, or only `type` in it. */
export class QueueControlBody {
  @ApiPropertyOptional({
    ...NAME_SCHEMA,
    description: 'Only this job type of the queue; the whole queue when absent.',
    example: 'email.send',
  })
  @IsOmittable()
  @IsName()
  type?: string;
}

export class RateLimitBody {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 1_000_000, example: 10 })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  limit: number;

  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: 86_400,
    description: 'The period, in seconds (60: per minute).',
    example: 1,
  })
  @IsInt()
  @Min(1)
  @Max(86_400)
  periodSeconds: number;
}

/** Most of a queue's jobs running at once; 100,000 is far beyond any real cluster. */
const MAX_LIMIT = 100_000;

/** The limits of a queue, or of one type in it: each a whole number, or null for none. */
export class QueueLimitsBody extends QueueControlBody {
  @ApiProperty({
    type: 'integer',
    nullable: true,
    minimum: 1,
    maximum: MAX_LIMIT,
    description:
      'Most jobs of the queue (or of `type`) running at once across the cluster; null for no limit.',
    example: 20,
  })
  @ValidateIf((_body, value) => value !== null)
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  concurrencyLimit: number | null;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: 1,
    maximum: MAX_LIMIT,
    description:
      'Most jobs of the queue with the same concurrencyKey running at once; null or absent for no limit. ' +
      'Whole queues only (not with `type`).',
    example: 1,
  })
  @IsOmittable()
  @ValidateIf((_body, value) => value !== null)
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  keyConcurrencyLimit?: number | null;

  @ApiPropertyOptional({
    type: () => RateLimitBody,
    nullable: true,
    description:
      'At most `limit` jobs started per `periodSeconds`, across the cluster; null or absent for none.',
  })
  @IsOmittable()
  @ValidateIf((_body, value) => value !== null)
  @IsNested(() => RateLimitBody)
  rateLimit?: RateLimitBody | null;
}
