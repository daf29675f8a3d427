import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { CharLength, IsOmittable, PRINTABLE_MESSAGE, PRINTABLE_PATTERN } from '#conveyor/http';
import { IsName, MAX_NAME_LENGTH, NAME_SCHEMA } from './names.js';

export class ClaimJobsBody {
  @ApiPropertyOptional({
    ...NAME_SCHEMA,
    description: 'The queue to claim from. Default: "default".',
    example: 'default',
  })
  @IsOmittable()
  @IsName()
  queue?: string;

  @ApiPropertyOptional({
    type: 'array',
    items: NAME_SCHEMA,
    minItems: 1,
    maxItems: 100,
    description: 'Only jobs of these types (1–100 of them). Default: any type.',
    example: ['email.send'],
  })
  @IsOmittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsName({ each: true })
  types?: string[];

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 100,
    description: 'At most this many jobs (1–100); fewer, or none, when fewer are due. Default: 1.',
    example: 1,
  })
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  /** Upper bound checked by the controller against CONVEYOR_MAX_LEASE_SECONDS. */
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    description:
      'How long the worker holds each job before it may be claimed again, at most CONVEYOR_MAX_LEASE_SECONDS ' +
      '(3600 by default). Default: CONVEYOR_LEASE_SECONDS (30).',
    example: 30,
  })
  @IsOmittable()
  @IsInt()
  @Min(1)
  leaseSeconds?: number;

  @ApiPropertyOptional({
    type: 'string',
    minLength: 1,
    maxLength: MAX_NAME_LENGTH,
    description: 'Who claims, 1–255 printable characters; recorded on the job and its history.',
    example: 'worker-1',
  })
  @IsOmittable()
  @IsString()
  @CharLength(1, MAX_NAME_LENGTH)
  @Matches(PRINTABLE_PATTERN, { message: PRINTABLE_MESSAGE })
  workerId?: string;
}
