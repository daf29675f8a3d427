import { IsBoolean, IsInt, IsOptional, IsString, IsUUID, Length, Min } from 'class-validator';

export class CompleteJobBody {
  @IsUUID()
  leaseToken: string;

  /** Any JSON value the worker wants to keep with the job. */
  @IsOptional()
  result?: unknown;
}

export class FailJobBody {
  @IsUUID()
  leaseToken: string;

  @IsString()
  @Length(1, 10_000)
  error: string;

  /** false sends the job straight to the dead-letter queue. */
  @IsOptional()
  @IsBoolean()
  retryable?: boolean;
}

export class HeartbeatJobBody {
  @IsUUID()
  leaseToken: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  leaseSeconds?: number;
}
