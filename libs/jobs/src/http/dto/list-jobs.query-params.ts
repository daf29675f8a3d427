import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { JOB_STATUSES, type JobStatus } from '../../domain/job-status.js';
import { MAX_NAME_LENGTH, NAME_MESSAGE, NAME_PATTERN } from './names.js';

export class ListJobsQueryParams {
  @IsOptional()
  @IsIn(JOB_STATUSES)
  status?: JobStatus;

  @IsOptional()
  @IsString()
  @Length(1, MAX_NAME_LENGTH)
  @Matches(NAME_PATTERN, { message: NAME_MESSAGE })
  queue?: string;

  @IsOptional()
  @IsString()
  @Length(1, MAX_NAME_LENGTH)
  @Matches(NAME_PATTERN, { message: NAME_MESSAGE })
  type?: string;

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
