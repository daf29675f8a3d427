import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsObject, IsString, Matches, Max, Min } from 'class-validator';
import {
  CharLength,
  IsOmittable,
  IsTimestamp,
  PRINTABLE_MESSAGE,
  PRINTABLE_PATTERN,
  TIMESTAMP_RULE,
} from '#conveyor/http';
import { IsName, MAX_NAME_LENGTH, NAME_SCHEMA } from './names.js';
import { IsPrintableText } from './idempotency-key.js';
import { IsNested } from './nested.js';

const DAY_MS = 24 * 60 * 60 * 1000;
export const BACKOFF_TYPES = ['exponential', 'fixed'] as const;

export class BackoffBody {
  @ApiProperty({
    enum: BACKOFF_TYPES,
    description:
      'exponential: a random delay of up to delayMs × 2^(attempt − 1), capped at maxDelayMs; fixed: delayMs every time.',
    example: 'exponential',
  })
  @IsIn(['exponential', 'fixed'])
  type: 'exponential' | 'fixed';

  /** Base delay (fixed: the delay). */
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: 7 * DAY_MS,
    description: 'Base delay in milliseconds (fixed: the delay), up to 7 days. Default: 1000.',
    example: 1000,
  })
  @IsOmittable()
  @IsInt()
  @Min(0)
  @Max(7 * DAY_MS)
  delayMs?: number;

  /** Cap on one delay (exponential only). */
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: 7 * DAY_MS,
    description:
      'Cap on one delay in milliseconds (exponential only), up to 7 days; not below delayMs. Default: 300000.',
    example: 300_000,
  })
  @IsOmittable()
  @IsInt()
  @Min(0)
  @Max(7 * DAY_MS)
  maxDelayMs?: number;
}

export class SubmitJobBody {
  @ApiProperty({
    ...NAME_SCHEMA,
    description:
      'The job type: 1–255 letters, digits and . _ : / -, starting with a letter or digit. Picks the handler.',
    example: 'email.send',
  })
  @IsName()
  type: string;

  // Arrays are objects too: IsObject rejects them, and null.
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'The job input: a JSON object (not an array or null), nested at most 64 levels, without NUL characters. ' +
      "Validated against the handler's DTO when the type has an in-process handler.",
    example: { to: 'ada@example.com' },
  })
  @IsObject()
  payload: Record<string, unknown>;

  @ApiPropertyOptional({
    ...NAME_SCHEMA,
    description: 'The queue, named like a type. Default: the handler\'s queue, else "default".',
    example: 'default',
  })
  @IsOmittable()
  @IsName()
  queue?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: -32768,
    maximum: 32767,
    description: 'Higher is claimed first. Default: 0.',
    example: 0,
  })
  @IsOmittable()
  @IsInt()
  @Min(-32768)
  @Max(32767)
  priority?: number;

  @ApiPropertyOptional({
    type: 'string',
    format: 'date-time',
    description: `Not claimed before this: ${TIMESTAMP_RULE}. Default: now.`,
    example: '2026-11-27T23:55:54.064Z',
  })
  @IsOmittable()
  @IsTimestamp()
  runAt?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 100,
    description:
      "Attempts before the job is dead-lettered. Default: the handler's, else CONVEYOR_DEFAULT_MAX_ATTEMPTS (5).",
    example: 5,
  })
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(100)
  maxAttempts?: number;

  @ApiPropertyOptional({
    type: () => BackoffBody,
    description:
      "How long a retryable failure waits. Default: the handler's, else { type: exponential, delayMs: 1000, maxDelayMs: 300000 }.",
  })
  @IsOmittable()
  @IsNested(() => BackoffBody)
  backoff?: BackoffBody;

  @ApiPropertyOptional({
    type: 'string',
    minLength: 1,
    maxLength: MAX_NAME_LENGTH,
    description:
      'Deduplication key, 1–255 printable characters; or send the Idempotency-Key header (not both, unless equal). ' +
      'Default: a SHA-256 fingerprint of type, queue and payload.',
    example: 'welcome-ada',
  })
  @IsPrintableText()
  idempotencyKey?: string;

  @ApiPropertyOptional({
    type: 'string',
    minLength: 1,
    maxLength: MAX_NAME_LENGTH,
    description:
      'Whose job this is for flow control (a customer, a tenant, an account), 1–255 printable characters: ' +
      "at most the queue's keyConcurrencyLimit jobs with the same key run at once (docs/queues.md). Default: none.",
    example: 'customer-42',
  })
  @IsPrintableText()
  concurrencyKey?: string;

  @ApiPropertyOptional({
    type: 'string',
    format: 'uri',
    maxLength: 2048,
    description:
      'POST the outcome here when the job finishes (completed, dead_letter or cancelled), signed like webhooks; ' +
      'its host must be in CONVEYOR_WEBHOOK_ALLOWED_HOSTS (docs/queues.md). Default: none.',
    example: 'https://shop.example/hooks/conveyor',
  })
  @IsOmittable()
  @IsString()
  @CharLength(1, 2048)
  @Matches(PRINTABLE_PATTERN, { message: PRINTABLE_MESSAGE })
  callbackUrl?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 365 * 24 * 60 * 60,
    description:
      'How long (from the first submit) the same key returns the original job, 1 s to 365 days. ' +
      'Default: CONVEYOR_DEDUPE_WINDOW_SECONDS (86400).',
    example: 86_400,
  })
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(365 * 24 * 60 * 60)
  dedupeWindowSeconds?: number;
}
