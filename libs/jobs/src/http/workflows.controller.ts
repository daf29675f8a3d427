import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  Res,
  UseFilters,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiCreatedResponse,
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { RequestNamespace, Requires } from '#conveyor/auth';
import { ApiProblems, uuidParam } from '#conveyor/http';
import { CancelWorkflowCommand } from '../application/commands/cancel-workflow/cancel-workflow.command.js';
import { RetryWorkflowCommand } from '../application/commands/retry-workflow/retry-workflow.command.js';
import { SubmitWorkflowCommand } from '../application/commands/submit-workflow/submit-workflow.command.js';
import { GetWorkflowQuery } from '../application/queries/get-workflow/get-workflow.query.js';
import { ListWorkflowsQuery } from '../application/queries/list-workflows/list-workflows.query.js';
import type { WorkflowPage, WorkflowView } from '../application/workflow-view.js';
import { requestIdempotencyKey } from './dto/idempotency-key.js';
import { workflowInput } from './dto/inputs.js';
import { ListWorkflowsQueryParams } from './dto/list-jobs.query-params.js';
import { MAX_NAME_LENGTH } from './dto/names.js';
import { DependencyBody, SubmitWorkflowBody } from './dto/workflow.body.js';
import { WorkflowDocument, WorkflowPageDocument } from './dto/workflow.documents.js';
import { JobErrorsFilter } from './job-errors.filter.js';

const workflowId = uuidParam();

/** A rate-limit cost of one token per node. */
const nodesInBody = (request: { body?: unknown }): number => {
  const nodes = (request.body as { nodes?: unknown } | undefined)?.nodes;
  return Array.isArray(nodes) ? Math.max(1, nodes.length) : 1;
};

/** Workflows (docs/workflows.md): jobs that wait for other jobs, submitted and controlled as one. */
@ApiTags('workflows')
@ApiExtraModels(DependencyBody)
@Controller('v1/workflows')
@UseFilters(JobErrorsFilter)
export class WorkflowsController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** 201 for a new workflow; 200 with `Idempotent-Replayed: true` when its key was already used. */
  @Post()
  @Requires('jobs:submit', 'submit', nodesInBody)
  @ApiOperation({
    summary:
      'Submit a workflow: jobs and what each waits for, all or nothing. A node runs once every node it ' +
      'depends on has completed, with their results; idempotent with a key.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    schema: { type: 'string', minLength: 1, maxLength: MAX_NAME_LENGTH },
    description:
      "Deduplication key, 1–255 printable characters; the same as the body's idempotencyKey (send one, or both equal).",
  })
  @ApiCreatedResponse({
    type: WorkflowDocument,
    description: 'A new workflow, its nodes pending or waiting.',
  })
  @ApiOkResponse({
    type: WorkflowDocument,
    description: 'The key was already used for this same workflow: that workflow, as it is now.',
    headers: {
      'Idempotent-Replayed': {
        description: 'Present, and `true`, on a replay.',
        schema: { type: 'string', enum: ['true'] },
      },
    },
  })
  // 429 (rate limit, namespace cap) comes with @Requires.
  @ApiProblems(400, 413, 415, 422)
  async submit(
    @RequestNamespace() namespace: string,
    @Body() body: SubmitWorkflowBody,
    @Headers('idempotency-key') headerKey: string | undefined,
    @Res({ passthrough: true }) response: unknown,
  ): Promise<WorkflowView> {
    const { created, workflow } = await this.commandBus.execute(
      new SubmitWorkflowCommand(
        workflowInput(namespace, body, requestIdempotencyKey(body.idempotencyKey, headerKey)),
      ),
    );
    if (!created) {
      const { httpAdapter } = this.adapterHost;
      httpAdapter.status(response, HttpStatus.OK);
      httpAdapter.setHeader(response, 'Idempotent-Replayed', 'true');
    }
    return workflow;
  }

  @Get()
  @Requires('jobs:read', 'read')
  @ApiOperation({
    summary: 'Workflows, newest first, a page at a time (follow nextCursor), with their node counts.',
  })
  @ApiOkResponse({ type: WorkflowPageDocument })
  @ApiProblems(400)
  list(
    @RequestNamespace() namespace: string,
    @Query() query: ListWorkflowsQueryParams,
  ): Promise<WorkflowPage> {
    return this.queryBus.execute(new ListWorkflowsQuery(namespace, query.limit ?? 20, query.cursor ?? null));
  }

  @Get(':id')
  @Requires('jobs:read', 'read')
  @ApiOperation({
    summary: "A workflow with every node's status, attempts and dependencies, its counts and timing.",
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The workflow id.' })
  @ApiOkResponse({ type: WorkflowDocument })
  @ApiProblems(400, 404)
  get(@RequestNamespace() namespace: string, @Param('id', workflowId) id: string): Promise<WorkflowView> {
    return this.queryBus.execute(new GetWorkflowQuery(namespace, id));
  }

  @Post(':id/cancel')
  @HttpCode(HttpStatus.OK)
  @Requires('jobs:submit', 'submit')
  @ApiOperation({
    summary:
      "Cancel every unfinished node of a workflow; running nodes' leases are void at once and their handlers told. " +
      'Finished nodes stay as they are.',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The workflow id.' })
  @ApiOkResponse({ type: WorkflowDocument, description: 'The workflow, as the cancel left it.' })
  @ApiProblems(400, 404, 409)
  async cancel(
    @RequestNamespace() namespace: string,
    @Param('id', workflowId) id: string,
  ): Promise<WorkflowView> {
    await this.commandBus.execute(new CancelWorkflowCommand(namespace, id));
    return this.queryBus.execute(new GetWorkflowQuery(namespace, id));
  }

  @Post(':id/retry')
  @HttpCode(HttpStatus.OK)
  @Requires('jobs:submit', 'submit')
  @ApiOperation({
    summary:
      'Start the failed part of a workflow again: every dead-lettered and cancelled node, with a fresh attempt ' +
      'budget, pending or waiting for what it depends on.',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The workflow id.' })
  @ApiOkResponse({ type: WorkflowDocument, description: 'The workflow, as the retry left it.' })
  @ApiProblems(400, 404)
  async retry(
    @RequestNamespace() namespace: string,
    @Param('id', workflowId) id: string,
  ): Promise<WorkflowView> {
    await this.commandBus.execute(new RetryWorkflowCommand(namespace, id));
    return this.queryBus.execute(new GetWorkflowQuery(namespace, id));
  }
}
