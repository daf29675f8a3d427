import { Body, Controller, Get, HttpCode, HttpStatus, Post, Query, UseFilters } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequestNamespace, Requires } from '#conveyor/auth';
import { ApiProblems } from '#conveyor/http';
import { RedriveDeadLettersCommand } from '../application/commands/redrive-dead-letters/redrive-dead-letters.command.js';
import { type JobPage, ListJobsQuery } from '../application/queries/list-jobs/list-jobs.query.js';
import { type DeadLetterFilterParams, ListDeadLettersParams, RedriveBody } from './dto/dead-letter.params.js';
import { JobPageDocument, RedriveDocument } from './dto/job.documents.js';
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

@ApiTags('dead-letter')
@Controller('v1/dead-letter')
@UseFilters(JobErrorsFilter)
export class DeadLetterController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  /** Dead-lettered jobs, newest first, with the same cursor paging as GET /v1/jobs. */
  @Get()
  @Requires('jobs:read', 'read')
  @ApiOperation({ summary: 'Dead-lettered jobs, newest first, a page at a time (follow nextCursor).' })
  @ApiOkResponse({ type: JobPageDocument })
  @ApiProblems(400)
  list(@RequestNamespace() namespace: string, @Query() params: ListDeadLettersParams): Promise<JobPage> {
    return this.queryBus.execute(
      new ListJobsQuery({
        namespace,
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
  @Requires('jobs:submit', 'submit')
  @ApiOperation({
    summary:
      'Send every dead letter matching the filters (and ids, if given) back to pending, with a fresh attempt budget.',
  })
  @ApiOkResponse({ type: RedriveDocument })
  @ApiProblems(400)
  redrive(@RequestNamespace() namespace: string, @Body() body: RedriveBody): Promise<{ redriven: number }> {
    return this.commandBus.execute(
      new RedriveDeadLettersCommand({
        namespace,
        ...outcomeFilter(body),
        ids: body.ids ?? null,
      }),
    );
  }
}
