import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
} from 'class-validator';
import { IsName } from './names.js';

const TEN_YEARS = 10 * 365 * 24 * 60 * 60;

/** Filters shared by listing and redriving dead letters. */
export class DeadLetterFilterParams {
  @IsOptional()
  @IsName()
  queue?: string;

  @IsOptional()
  @IsName()
  type?: string;

  /** Case-insensitive text the last error contains. */
  @IsOptional()
  @IsString()
  @Length(1, 500)
  error?: string;

  /** Dead-lettered at least this many seconds ago. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(TEN_YEARS)
  minAgeSeconds?: number;

  /** Dead-lettered at most this many seconds ago. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(TEN_YEARS)
  maxAgeSeconds?: number;
}

export class ListDeadLettersParams extends DeadLetterFilterParams {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @IsOptional()
  @IsString()
  @Length(1, 512)
  cursor?: string;
}

export class RedriveBody extends DeadLetterFilterParams {
  /** Exactly these jobs (still only those that are dead-lettered). */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @IsUUID('all', { each: true })
  ids?: string[];
}
