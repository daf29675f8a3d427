import { Controller, Get, Query, UseFilters } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequestNamespace, Requires } from '#conveyor/auth';
import { ApiProblems } from '#conveyor/http';
import type { JobStats } from '../application/queries/get-queue-stats/get-queue-stats.query.js';
import { GetQueueStatsQuery } from '../application/queries/get-queue-stats/get-queue-stats.query.js';
import {
  GetStatusHistoryQuery,
  type StatusHistory,
} from '../application/queries/get-status-history/get-status-history.query.js';
import { JobStatsDocument, StatusHistoryDocument } from './dto/job.documents.js';
import { StatsHistoryParams } from './dto/stats.params.js';
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

  @Get('history')
  @Requires('jobs:read', 'read')
  @ApiOperation({
    summary:
      'Per queue, minute by minute (every minute of the window, oldest first): jobs completed, failed and dead-lettered.',
  })
  @ApiOkResponse({ type: StatusHistoryDocument })
  @ApiProblems(400)
  history(
    @RequestNamespace() namespace: string,
    @Query() params: StatsHistoryParams,
  ): Promise<StatusHistory> {
    return this.queryBus.execute(new GetStatusHistoryQuery(namespace, params.minutes ?? 60));
  }
}
