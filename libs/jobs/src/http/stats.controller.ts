import { Controller, Get, UseFilters } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { JobStats } from '../application/queries/get-queue-stats/get-queue-stats.query.js';
import { GetQueueStatsQuery } from '../application/queries/get-queue-stats/get-queue-stats.query.js';
import { JobErrorsFilter } from './job-errors.filter.js';
import { DEFAULT_NAMESPACE } from '../domain/defaults.js';

@Controller('v1/stats')
@UseFilters(JobErrorsFilter)
export class StatsController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  stats(): Promise<JobStats> {
    return this.queryBus.execute(new GetQueueStatsQuery(DEFAULT_NAMESPACE));
  }
}
