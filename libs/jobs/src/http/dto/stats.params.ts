import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { IsOmittable } from '#conveyor/http';

/** The longest window GET /v1/stats/history shows: the day the per-minute counts are kept. */
export const MAX_HISTORY_MINUTES = 1440;

export class StatsHistoryParams {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_HISTORY_MINUTES,
    default: 60,
    description: 'How many whole minutes, the current one last (1–1440, a day).',
    example: 60,
  })
  @IsOmittable()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_HISTORY_MINUTES)
  minutes?: number;
}
