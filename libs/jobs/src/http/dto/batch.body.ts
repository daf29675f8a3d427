import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsUUID } from 'class-validator';
import { IsOmittable } from '#conveyor/http';
import { CompleteJobBody, FailJobBody, LeaseProofBody } from './lease.body.js';
import { IsNested } from './nested.js';
import { SubmitJobBody } from './submit-job.body.js';

/** Most jobs one batch call may carry, submitted or acknowledged. */
export const MAX_BATCH = 1000;

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
  @IsNested(() => SubmitJobBody, { each: true })
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
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(MAX_BATCH)
  @IsNested(() => CompleteItem, { each: true })
  complete?: CompleteItem[];

  @ApiPropertyOptional({ type: [FailItem], maxItems: MAX_BATCH, description: 'Jobs that failed.' })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(MAX_BATCH)
  @IsNested(() => FailItem, { each: true })
  fail?: FailItem[];
}

export class ReleaseItem extends LeaseProofBody {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id: string;
}

export class ReleaseJobsBody {
  @ApiProperty({
    type: [ReleaseItem],
    minItems: 1,
    maxItems: MAX_BATCH,
    description: 'Up to 1,000 held jobs to hand back, each with its lease token.',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH)
  @IsNested(() => ReleaseItem, { each: true })
  jobs: ReleaseItem[];
}
