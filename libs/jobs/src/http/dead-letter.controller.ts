import { Body, Controller, Get, HttpCode, HttpStatus, Post, Query, UseFilters } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { RedriveDeadLettersCommand } from '../application/commands/redrive-dead-letters/redrive-dead-letters.command.js';
import { type JobPage, ListJobsQuery } from '../application/queries/list-jobs/list-jobs.query.js';
import { DEFAULT_NAMESPACE } from '../domain/defaults.js';
import { type DeadLetterFilterParams, ListDeadLettersParams, RedriveBody } from './dto/dead-letter.params.js';
import { JobErrorsFilter } from './job-errors.filter.js';

function outcomeFilter(params: DeadLetterFilterParams) {
  return {
    queue: params.queue ?? null,
    type: params.type ?? null,
    errorContains: params.error ?? null,
    minAgeSeconds: params.minAgeSeconds ?? null,
    maxAgeSeconds: params.maxAgeSeconds ?? null,
  };
}

@Controller('v1/dead-letter')
@UseFilters(JobErrorsFilter)
export class DeadLetterController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  /** Dead-lettered jobs, newest first, with the same cursor paging as GET /v1/jobs. */
  @Get()
  list(@Query() params: ListDeadLettersParams): Promise<JobPage> {
    return this.queryBus.execute(
      new ListJobsQuery({
        namespace: DEFAULT_NAMESPACE,
        status: 'dead_letter',
        ...outcomeFilter(params),
        limit: params.limit ?? 50,
        cursor: params.cursor ?? null,
      }),
    );
  }

  /** Every dead letter matching the filters (or the ids) back to pending; `{ redriven }` says how many. */
  @Post('redrive')
  @HttpCode(HttpStatus.OK)
  redrive(@Body() body: RedriveBody): Promise<{ redriven: number }> {
    return this.commandBus.execute(
      new RedriveDeadLettersCommand({
        namespace: DEFAULT_NAMESPACE,
        ...outcomeFilter(body),
        ids: body.ids ?? null,
      }),
    );
  }
}
