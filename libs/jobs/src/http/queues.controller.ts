import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Put, UseFilters } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { RequestNamespace, Requires } from '#conveyor/auth';
import { ApiProblems } from '#conveyor/http';
import { PauseQueueCommand } from '../application/commands/pause-queue/pause-queue.command.js';
import { SetQueueLimitsCommand } from '../application/commands/set-queue-limits/set-queue-limits.command.js';
import {
  ListQueuesQuery,
  type QueueList,
  type QueueView,
} from '../application/queries/list-queues/list-queues.query.js';
import { QueueDocument, QueueListDocument } from './dto/job.documents.js';
import { NAME_SCHEMA } from './dto/names.js';
import { QueueControlBody, QueueLimitsBody, QueueParams } from './dto/queue.params.js';
import { JobErrorsFilter } from './job-errors.filter.js';

/** The queues of the caller's namespace: their state and counts, and pausing them (docs/queues.md). */
@ApiTags('queues')
@Controller('v1/queues')
@UseFilters(JobErrorsFilter)
export class QueuesController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  @Get()
  @Requires('jobs:read', 'read')
  @ApiOperation({ summary: 'Every queue that holds jobs or is paused: its state and its jobs by status.' })
  @ApiOkResponse({ type: QueueListDocument })
  list(@RequestNamespace() namespace: string): Promise<QueueList> {
    return this.queryBus.execute(new ListQueuesQuery(namespace));
  }

  @Post(':queue/pause')
  @HttpCode(HttpStatus.OK)
  @Requires('queues:manage', 'none')
  @ApiOperation({
    summary:
      'Pause a queue, or one job type in it: submits are still accepted, running jobs finish, no claim takes its jobs.',
  })
  @ApiParam({ name: 'queue', schema: NAME_SCHEMA, description: 'The queue.' })
  @ApiOkResponse({ type: QueueDocument, description: 'The queue, as it is now.' })
  @ApiProblems(400)
  pause(
    @RequestNamespace() namespace: string,
    @Param() params: QueueParams,
    @Body() body: QueueControlBody,
  ): Promise<QueueView> {
    return this.control(namespace, params.queue, body.type ?? null, true);
  }

  @Post(':queue/resume')
  @HttpCode(HttpStatus.OK)
  @Requires('queues:manage', 'none')
  @ApiOperation({ summary: 'Resume a queue, or one job type in it: claims take its jobs again at once.' })
  @ApiParam({ name: 'queue', schema: NAME_SCHEMA, description: 'The queue.' })
  @ApiOkResponse({ type: QueueDocument, description: 'The queue, as it is now.' })
  @ApiProblems(400)
  resume(
    @RequestNamespace() namespace: string,
    @Param() params: QueueParams,
    @Body() body: QueueControlBody,
  ): Promise<QueueView> {
    return this.control(namespace, params.queue, body.type ?? null, false);
  }

  @Put(':queue/limits')
  @Requires('queues:manage', 'none')
  @ApiOperation({
    summary:
      'Set how many jobs of a queue (or of one type in it) run at once across the cluster and per ' +
      'concurrency key, and how many start per period.',
  })
  @ApiParam({ name: 'queue', schema: NAME_SCHEMA, description: 'The queue.' })
  @ApiOkResponse({ type: QueueDocument, description: 'The queue, as it is now.' })
  @ApiProblems(400)
  async limits(
    @RequestNamespace() namespace: string,
    @Param() params: QueueParams,
    @Body() body: QueueLimitsBody,
  ): Promise<QueueView> {
    await this.commandBus.execute(
      new SetQueueLimitsCommand(namespace, params.queue, body.type ?? null, {
        concurrency: body.concurrencyLimit,
        perKey: body.keyConcurrencyLimit ?? null,
        rate: body.rateLimit ?? null,
      }),
    );
    return this.view(namespace, params.queue);
  }

  private async control(
    namespace: string,
    queue: string,
    type: string | null,
    paused: boolean,
  ): Promise<QueueView> {
    await this.commandBus.execute(new PauseQueueCommand(namespace, queue, type, paused));
    return this.view(namespace, queue);
  }

  private async view(namespace: string, queue: string): Promise<QueueView> {
    const { queues } = await this.queryBus.execute(new ListQueuesQuery(namespace, queue));
    const [view] = queues;
    if (view === undefined) throw new Error(`queue ${queue} missing from its own listing`);
    return view;
  }
}
