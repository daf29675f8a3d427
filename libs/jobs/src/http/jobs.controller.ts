import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
  UseFilters,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '#conveyor/config';
import { validationProblem } from '#conveyor/http';
import { CancelJobCommand } from '../application/commands/cancel-job/cancel-job.command.js';
import { ClaimJobCommand } from '../application/commands/claim-job/claim-job.command.js';
import { CompleteJobCommand } from '../application/commands/complete-job/complete-job.command.js';
import { FailJobCommand } from '../application/commands/fail-job/fail-job.command.js';
import type { HeartbeatResult } from '../application/commands/heartbeat-job/heartbeat-job.command.js';
import { HeartbeatJobCommand } from '../application/commands/heartbeat-job/heartbeat-job.command.js';
import { RetryJobCommand } from '../application/commands/retry-job/retry-job.command.js';
import { SubmitJobCommand } from '../application/commands/submit-job/submit-job.command.js';
import type { ClaimedJobView, JobView } from '../application/job-view.js';
import type { JobWithHistory } from '../application/queries/get-job/get-job.query.js';
import { GetJobQuery } from '../application/queries/get-job/get-job.query.js';
import type { JobPage } from '../application/queries/list-jobs/list-jobs.query.js';
import { ListJobsQuery } from '../application/queries/list-jobs/list-jobs.query.js';
import { DEFAULT_NAMESPACE, DEFAULT_QUEUE } from '../domain/defaults.js';
import { ClaimJobsBody } from './dto/claim-jobs.body.js';
import { CompleteJobBody, FailJobBody, HeartbeatJobBody } from './dto/lease.body.js';
import { ListJobsQueryParams } from './dto/list-jobs.query-params.js';
import { MAX_NAME_LENGTH, PRINTABLE_PATTERN } from './dto/names.js';
import { SubmitJobBody } from './dto/submit-job.body.js';
import { JobErrorsFilter } from './job-errors.filter.js';

/** The part of the HTTP response the submit handler touches. */
interface StatusResponse {
  status(code: number): unknown;
  setHeader(name: string, value: string): unknown;
}

const jobId = new ParseUUIDPipe({
  exceptionFactory: () => validationProblem([{ field: 'id', messages: ['id must be a UUID'] }]),
});

@Controller('v1/jobs')
@UseFilters(JobErrorsFilter)
export class JobsController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
  ) {}

  /** 201 for a new job; 200 with `Idempotent-Replayed: true` when the key was already used. */
  @Post()
  async submit(
    @Body() body: SubmitJobBody,
    @Headers('idempotency-key') headerKey: string | undefined,
    @Res({ passthrough: true }) response: StatusResponse,
  ): Promise<JobView> {
    const idempotencyKey = this.idempotencyKey(body.idempotencyKey, headerKey);
    const backoff =
      body.backoff === undefined
        ? null
        : {
            type: body.backoff.type,
            ...(body.backoff.delayMs === undefined ? {} : { delayMs: body.backoff.delayMs }),
            ...(body.backoff.maxDelayMs === undefined ? {} : { maxDelayMs: body.backoff.maxDelayMs }),
          };
    const { created, job } = await this.commandBus.execute(
      new SubmitJobCommand({
        namespace: DEFAULT_NAMESPACE,
        type: body.type,
        queue: body.queue ?? null,
        payload: body.payload,
        priority: body.priority ?? 0,
        runAt: body.runAt === undefined ? null : new Date(body.runAt),
        maxAttempts: body.maxAttempts ?? null,
        backoff,
        idempotencyKey,
        dedupeWindowSeconds: body.dedupeWindowSeconds ?? null,
      }),
    );
    if (!created) {
      response.status(HttpStatus.OK);
      response.setHeader('Idempotent-Replayed', 'true');
    }
    return job;
  }

  @Post('claim')
  @HttpCode(HttpStatus.OK)
  async claim(@Body() body: ClaimJobsBody): Promise<{ jobs: ClaimedJobView[] }> {
    const jobs = await this.commandBus.execute(
      new ClaimJobCommand({
        namespace: DEFAULT_NAMESPACE,
        queue: body.queue ?? DEFAULT_QUEUE,
        types: body.types ?? null,
        limit: body.limit ?? 1,
        leaseSeconds: this.leaseSeconds(body.leaseSeconds),
        workerId: body.workerId ?? null,
      }),
    );
    return { jobs };
  }

  @Post(':id/complete')
  @HttpCode(HttpStatus.OK)
  complete(@Param('id', jobId) id: string, @Body() body: CompleteJobBody): Promise<JobView> {
    return this.commandBus.execute(
      new CompleteJobCommand(DEFAULT_NAMESPACE, id, body.leaseToken, body.result),
    );
  }

  @Post(':id/fail')
  @HttpCode(HttpStatus.OK)
  fail(@Param('id', jobId) id: string, @Body() body: FailJobBody): Promise<JobView> {
    return this.commandBus.execute(
      new FailJobCommand(DEFAULT_NAMESPACE, id, body.leaseToken, body.error, body.retryable ?? true),
    );
  }

  @Post(':id/heartbeat')
  @HttpCode(HttpStatus.OK)
  heartbeat(@Param('id', jobId) id: string, @Body() body: HeartbeatJobBody): Promise<HeartbeatResult> {
    return this.commandBus.execute(
      new HeartbeatJobCommand(DEFAULT_NAMESPACE, id, body.leaseToken, this.leaseSeconds(body.leaseSeconds)),
    );
  }

  @Post(':id/cancel')
  @HttpCode(HttpStatus.OK)
  cancel(@Param('id', jobId) id: string): Promise<JobView> {
    return this.commandBus.execute(new CancelJobCommand(DEFAULT_NAMESPACE, id));
  }

  @Post(':id/retry')
  @HttpCode(HttpStatus.OK)
  retry(@Param('id', jobId) id: string): Promise<JobView> {
    return this.commandBus.execute(new RetryJobCommand(DEFAULT_NAMESPACE, id));
  }

  @Get(':id')
  get(@Param('id', jobId) id: string): Promise<JobWithHistory> {
    return this.queryBus.execute(new GetJobQuery(DEFAULT_NAMESPACE, id));
  }

  @Get()
  list(@Query() query: ListJobsQueryParams): Promise<JobPage> {
    return this.queryBus.execute(
      new ListJobsQuery({
        namespace: DEFAULT_NAMESPACE,
        status: query.status ?? null,
        queue: query.queue ?? null,
        type: query.type ?? null,
        limit: query.limit ?? 50,
        cursor: query.cursor ?? null,
        errorContains: null,
        minAgeSeconds: null,
        maxAgeSeconds: null,
      }),
    );
  }

  private idempotencyKey(bodyKey: string | undefined, headerKey: string | undefined): string | null {
    if (headerKey !== undefined) {
      if (headerKey.length < 1 || headerKey.length > MAX_NAME_LENGTH || !PRINTABLE_PATTERN.test(headerKey)) {
        throw validationProblem([
          { field: 'Idempotency-Key', messages: [`must be 1 to ${MAX_NAME_LENGTH} printable characters`] },
        ]);
      }
      if (bodyKey !== undefined && bodyKey !== headerKey) {
        throw validationProblem([
          {
            field: 'idempotencyKey',
            messages: ['differs from the Idempotency-Key header; send one, or the same'],
          },
        ]);
      }
    }
    return bodyKey ?? headerKey ?? null;
  }

  private leaseSeconds(requested: number | undefined): number {
    const seconds = requested ?? this.config.jobs.defaultLeaseSeconds;
    if (seconds > this.config.jobs.maxLeaseSeconds) {
      throw validationProblem([
        {
          field: 'leaseSeconds',
          messages: [`leaseSeconds must not be greater than ${this.config.jobs.maxLeaseSeconds}`],
        },
      ]);
    }
    return seconds;
  }
}
