import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsString, Max, Min } from 'class-validator';
import { CharLength, IsOmittable } from '#conveyor/http';
import { JOB_STATUSES, type JobStatus } from '../../domain/job-status.js';
import { ErrorTextFilter } from './error-text.js';
import { IsName, NAME_SCHEMA } from './names.js';

/** A list's `cursor` parameter: the previous page's nextCursor. */
export function PageCursor(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      type: 'string',
      minLength: 1,
      maxLength: 512,
      description: "The previous page's nextCursor, for the next page (opaque).",
    }),
    IsOmittable(),
    IsString(),
    CharLength(1, 512),
  );
}

export class ListJobsQueryParams {
  @ApiPropertyOptional({ enum: JOB_STATUSES, description: 'Only jobs in this status.' })
  @IsOmittable()
  @IsIn(JOB_STATUSES)
  status?: JobStatus;

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

/** The longest a GET /v1/jobs/{id} may wait, in seconds: below the usual proxy timeouts. */
export const MAX_WAIT_SECONDS = 60;

export class GetJobQueryParams {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_WAIT_SECONDS,
    default: 0,
    description:
      'Wait up to this many seconds for an unfinished job to finish (completed, dead_letter or cancelled) ' +
      'before answering; the answer comes the moment it does. 0 answers at once.',
    example: 30,
  })
  @IsOmittable()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_WAIT_SECONDS)
  wait?: number;
}

export class ListWorkflowsQueryParams {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 100,
    default: 20,
    description: 'Page size, 1–100.',
  })
  @IsOmittable()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @PageCursor()
  cursor?: string;
}
