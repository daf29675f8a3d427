import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsObject,
  IsOptional,
  IsUUID,
  ValidateNested,
} from 'class-validator';
import { CompleteJobBody, FailJobBody } from './lease.body.js';
import { SubmitJobBody } from './submit-job.body.js';

/** Most jobs one batch call may carry, submitted or acknowledged. */
export const MAX_BATCH = 1000;

// ValidateNested walks into arrays of arrays: IsObject keeps each element a single object.

export class SubmitJobsBody {
  @ApiProperty({
    type: [SubmitJobBody],
    minItems: 1,
    maxItems: MAX_BATCH,
    description: 'Up to 1,000 submits, each as for POST /v1/jobs (its idempotency key in the body).',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => SubmitJobBody)
  jobs: SubmitJobBody[];
}

export class CompleteItem extends CompleteJobBody {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id: string;
}

export class FailItem extends FailJobBody {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id: string;
}

export class AcknowledgeJobsBody {
  @ApiPropertyOptional({ type: [CompleteItem], maxItems: MAX_BATCH, description: 'Jobs done.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_BATCH)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => CompleteItem)
  complete?: CompleteItem[];

  @ApiPropertyOptional({ type: [FailItem], maxItems: MAX_BATCH, description: 'Jobs that failed.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_BATCH)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => FailItem)
  fail?: FailItem[];
}
