import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { JOB_STATUSES, type JobStatus } from '../../domain/job-status.js';
import { IsName, NAME_SCHEMA } from './names.js';

export class ListJobsQueryParams {
  @ApiPropertyOptional({ enum: JOB_STATUSES, description: 'Only jobs in this status.' })
  @IsOptional()
  @IsIn(JOB_STATUSES)
  status?: JobStatus;

  @ApiPropertyOptional({ ...NAME_SCHEMA, description: 'Only jobs of this queue.', example: 'default' })
  @IsOptional()
  @IsName()
  queue?: string;

  @ApiPropertyOptional({ ...NAME_SCHEMA, description: 'Only jobs of this type.', example: 'email.send' })
  @IsOptional()
  @IsName()
  type?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 500,
    default: 50,
    description: 'Page size, 1–500.',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({
    type: 'string',
    minLength: 1,
    maxLength: 512,
    description: "The previous page's nextCursor, for the next page (opaque).",
  })
  @IsOptional()
  @IsString()
  @Length(1, 512)
  cursor?: string;
}
