import { Controller, Get, UseFilters } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequestNamespace, Requires } from '#conveyor/auth';
import type { JobStats } from '../application/queries/get-queue-stats/get-queue-stats.query.js';
import { GetQueueStatsQuery } from '../application/queries/get-queue-stats/get-queue-stats.query.js';
import { JobStatsDocument } from './dto/job.documents.js';
import { JobErrorsFilter } from './job-errors.filter.js';

@ApiTags('stats')
@Controller('v1/stats')
@UseFilters(JobErrorsFilter)
export class StatsController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @Requires('jobs:read', 'read')
  @ApiOperation({
    summary: 'Per queue: job counts by status, throughput and the oldest wait; latency percentiles.',
  })
  @ApiOkResponse({ type: JobStatsDocument })
  stats(@RequestNamespace() namespace: string): Promise<JobStats> {
    return this.queryBus.execute(new GetQueueStatsQuery(namespace));
  }
}
