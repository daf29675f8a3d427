import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { IsName, MAX_NAME_LENGTH, PRINTABLE_MESSAGE, PRINTABLE_PATTERN } from './names.js';

export class ClaimJobsBody {
  @IsOptional()
  @IsName()
  queue?: string;

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsName({ each: true })
  types?: string[];

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  /** Upper bound checked by the controller against CONVEYOR_MAX_LEASE_SECONDS. */
  @IsOptional()
  @IsInt()
  @Min(1)
  leaseSeconds?: number;

  @IsOptional()
  @IsString()
  @Length(1, MAX_NAME_LENGTH)
  @Matches(PRINTABLE_PATTERN, { message: PRINTABLE_MESSAGE })
  workerId?: string;
}
