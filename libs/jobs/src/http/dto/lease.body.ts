import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsNumber, IsObject, IsString, IsUUID, Max, Min } from 'class-validator';
import { CharLength, IsOmittable, JsonValueDocument } from '#conveyor/http';

/** What every lease holder's request carries: the proof that it holds the job. */
export class LeaseProofBody {
  @ApiProperty({
    format: 'uuid',
    description: 'The leaseToken the claim returned: proof that you still hold the job.',
    example: '6f1c2b9e-8a57-4f3e-9d55-0c6f3e1b2a10',
  })
  @IsUUID()
  leaseToken: string;
}

export class CompleteJobBody extends LeaseProofBody {
  /** Any JSON value the worker wants to keep with the job. */
  @ApiPropertyOptional({
    type: () => JsonValueDocument,
    description: 'The outcome to keep with the job: any JSON value, usually an object. Default: null.',
    example: { sent: 1 },
  })
  @IsOmittable()
  result?: unknown;
}

export class FailJobBody extends LeaseProofBody {
  @ApiProperty({
    type: 'string',
    minLength: 1,
    maxLength: 10_000,
    description: 'What went wrong (1–10,000 characters); kept as the lastError.',
    example: 'SMTP timeout',
  })
  @IsString()
  @CharLength(1, 10_000)
  error: string;

  /** false sends the job straight to the dead-letter queue. */
  @ApiPropertyOptional({
    type: 'boolean',
    default: true,
    description:
      'true: retry after the backoff while attempts are left (status failed), else dead_letter; ' +
      'false: straight to dead_letter.',
  })
  @IsOmittable()
  @IsBoolean()
  retryable?: boolean;
}

export class HeartbeatJobBody extends LeaseProofBody {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    description:
      'The lease runs until now + leaseSeconds (at most CONVEYOR_MAX_LEASE_SECONDS, 3600 by default), ' +
      'or longer if it already did: a heartbeat never shortens a lease. Default: CONVEYOR_LEASE_SECONDS (30).',
    example: 30,
  })
  @IsOmittable()
  @IsInt()
  @Min(1)
  leaseSeconds?: number;
}

export class ProgressBody extends LeaseProofBody {
  @ApiPropertyOptional({
    type: 'number',
    minimum: 0,
    maximum: 100,
    description: 'How far the job is, 0–100. Default: as last reported.',
    example: 40,
  })
  @IsOmittable()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(100)
  percent?: number;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'A JSON object of your own, at most 4 KB. Default: as last reported.',
    example: { rows: 4000 },
  })
  @IsOmittable()
  @IsObject()
  data?: Record<string, unknown>;
}
