import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsName, MAX_NAME_LENGTH, PRINTABLE_MESSAGE, PRINTABLE_PATTERN } from './names.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export class BackoffBody {
  @IsIn(['exponential', 'fixed'])
  type: 'exponential' | 'fixed';

  /** Base delay (fixed: the delay). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(7 * DAY_MS)
  delayMs?: number;

  /** Cap on one delay (exponential only). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(7 * DAY_MS)
  maxDelayMs?: number;
}

export class SubmitJobBody {
  @IsName()
  type: string;

  // Arrays are objects too: IsObject rejects them, and null.
  @IsObject()
  payload: Record<string, unknown>;

  @IsOptional()
  @IsName()
  queue?: string;

  @IsOptional()
  @IsInt()
  @Min(-32768)
  @Max(32767)
  priority?: number;

  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  runAt?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  maxAttempts?: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => BackoffBody)
  backoff?: BackoffBody;

  @IsOptional()
  @IsString()
  @Length(1, MAX_NAME_LENGTH)
  @Matches(PRINTABLE_PATTERN, { message: PRINTABLE_MESSAGE })
  idempotencyKey?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(365 * 24 * 60 * 60)
  dedupeWindowSeconds?: number;
}
