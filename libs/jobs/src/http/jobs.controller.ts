import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Inject,
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
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { RequestNamespace, Requires } from '#conveyor/auth';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '#conveyor/config';
import { ApiProblems, type Problem, uuidParam, validationProblem } from '#conveyor/http';
import { AcknowledgeJobsCommand } from '../application/commands/acknowledge-jobs/acknowledge-jobs.command.js';
import { CancelJobCommand } from '../application/commands/cancel-job/cancel-job.command.js';
import { ClaimJobCommand } from '../application/commands/claim-job/claim-job.command.js';
import {
  CompleteJobCommand,
  type SettledJob,
} from '../application/commands/complete-job/complete-job.command.js';
import { FailJobCommand } from '../application/commands/fail-job/fail-job.command.js';
import type { HeartbeatResult } from '../application/commands/heartbeat-job/heartbeat-job.command.js';
import { HeartbeatJobCommand } from '../application/commands/heartbeat-job/heartbeat-job.command.js';
import {
  type ProgressResult,
  RecordProgressCommand,
} from '../application/commands/record-progress/record-progress.command.js';
import { ReleaseJobsCommand } from '../application/commands/release-jobs/release-jobs.command.js';
import { RetryJobCommand } from '../application/commands/retry-job/retry-job.command.js';
import { SubmitJobCommand } from '../application/commands/submit-job/submit-job.command.js';
import { SubmitJobsCommand } from '../application/commands/submit-jobs/submit-jobs.command.js';
import type { ClaimedJobView, JobView } from '../application/job-view.js';
import type { JobWithHistory } from '../application/queries/get-job/get-job.query.js';
import { GetJobQuery } from '../application/queries/get-job/get-job.query.js';
import type { JobPage } from '../application/queries/list-jobs/list-jobs.query.js';
import { ListJobsQuery } from '../application/queries/list-jobs/list-jobs.query.js';
import { DEFAULT_QUEUE } from '../domain/defaults.js';
import { AcknowledgeJobsBody, ReleaseJobsBody, SubmitJobsBody } from './dto/batch.body.js';
import { ClaimJobsBody } from './dto/claim-jobs.body.js';
import { CompleteJobBody, FailJobBody, HeartbeatJobBody, ProgressBody } from './dto/lease.body.js';
import {
  AckDocument,
  ReleasedDocument,
  BatchDocument,
  ClaimedJobsDocument,
  HeartbeatDocument,
  ProgressResultDocument,
  JobDocument,
  JobPageDocument,
  JobWithHistoryDocument,
} from './dto/job.documents.js';
import { GetJobQueryParams, ListJobsQueryParams } from './dto/list-jobs.query-params.js';
import { requestIdempotencyKey } from './dto/idempotency-key.js';
import { MAX_NAME_LENGTH } from './dto/names.js';
import { SubmitJobBody } from './dto/submit-job.body.js';
import { submitInput } from './dto/inputs.js';
import { JobErrorsFilter, jobProblem } from './job-errors.filter.js';

const jobId = uuidParam();

const REPLAYED_HEADER = {
  'Idempotent-Replayed': {
    description: 'Present, and `true`, when this is the answer to a settlement already made.',
    schema: { type: 'string', enum: ['true'] },
  },
};

/** A rate-limit cost of one token per job in the batch. */
const jobsInBody = (request: { body?: unknown }): number => {
  const jobs = (request.body as { jobs?: unknown } | undefined)?.jobs;
  return Array.isArray(jobs) ? Math.max(1, jobs.length) : 1;
};

function requiredProblem(error: Error): Problem {
  const problem = jobProblem(error);
  if (problem === undefined) throw error;
  return problem;
}

@ApiTags('jobs')
@Controller('v1/jobs')
@UseFilters(JobErrorsFilter)
export class JobsController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
  ) {}

  /** 201 for a new job; 200 with `Idempotent-Replayed: true` when the key was already used. */
  @Post()
  @Requires('jobs:submit', 'submit')
  @ApiOperation({
    summary:
      'Submit a job; idempotent: a key already used within the dedupe window returns the original job.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    schema: { type: 'string', minLength: 1, maxLength: MAX_NAME_LENGTH },
    description:
      "Deduplication key, 1–255 printable characters; the same as the body's idempotencyKey (send one, or both equal).",
  })
  @ApiCreatedResponse({ type: JobDocument, description: 'A new job.' })
  @ApiOkResponse({
    type: JobDocument,
    description: 'Idempotent replay: the job first submitted with this key, unchanged.',
    headers: {
      'Idempotent-Replayed': { description: 'Always `true`.', schema: { type: 'string', enum: ['true'] } },
    },
  })
  // 429 (rate limit, namespace cap) comes with @Requires.
  @ApiProblems(400, 413, 415, 422)
  async submit(
    @RequestNamespace() namespace: string,
    @Body() body: SubmitJobBody,
    @Headers('idempotency-key') headerKey: string | undefined,
    @Res({ passthrough: true }) response: unknown,
  ): Promise<JobView> {
    const idempotencyKey = requestIdempotencyKey(body.idempotencyKey, headerKey);
    const { created, job } = await this.commandBus.execute(
      new SubmitJobCommand(submitInput(namespace, body, idempotencyKey)),
    );
    if (!created) {
      const { httpAdapter } = this.adapterHost;
      httpAdapter.status(response, HttpStatus.OK);
      httpAdapter.setHeader(response, 'Idempotent-Replayed', 'true');
    }
    return job;
  }

  /** Up to 1,000 submits in one call; each job gets the answer POST /v1/jobs would have given it. */
  @Post('batch')
  @HttpCode(HttpStatus.OK)
  @Requires('jobs:submit', 'submit', jobsInBody)
  @ApiOperation({
    summary:
      'Submit up to 1,000 jobs. Invalid input refuses the whole batch (400, nothing written); ' +
      'otherwise each job gets its own status: 201, 200 (replay), 422 or 429.',
  })
  @ApiOkResponse({ type: BatchDocument })
  @ApiProblems(400, 413, 415)
  async submitBatch(
    @RequestNamespace() namespace: string,
    @Body() body: SubmitJobsBody,
  ): Promise<{ jobs: ({ status: number; id: string } | { status: number; problem: Problem })[] }> {
    const outcomes = await this.commandBus.execute(
      new SubmitJobsCommand(body.jobs.map((job) => submitInput(namespace, job, job.idempotencyKey ?? null))),
    );
    return {
      jobs: outcomes.map((item) => {
        switch (item.outcome) {
          // The id only: a thousand full jobs would make the answer the bulk of the work.
          case 'created':
            return { status: HttpStatus.CREATED, id: item.job.id };
          case 'replayed':
            return { status: HttpStatus.OK, id: item.job.id };
          case 'refused': {
            const problem = requiredProblem(item.error);
            return { status: problem.status, problem };
          }
        }
      }),
    };
  }

  /** Settles many held jobs at once: the batch form of complete and fail, for REST workers. */
  @Post('ack')
  @HttpCode(HttpStatus.OK)
  @Requires('jobs:work', 'none')
  @ApiOperation({
    summary:
      'Complete and fail up to 1,000 held jobs each in one call; every job is fenced by its own lease token.',
  })
  @ApiOkResponse({ type: AckDocument })
  @ApiProblems(400, 413, 415)
  async acknowledge(
    @RequestNamespace() namespace: string,
    @Body() body: AcknowledgeJobsBody,
  ): Promise<{
    results: ({ id: string; outcome: string } | { id: string; outcome: 'refused'; problem: Problem })[];
  }> {
    const completions = body.complete ?? [];
    const failures = body.fail ?? [];
    const ids = [...completions, ...failures].map((item) => item.id);
    if (ids.length === 0) {
      throw validationProblem([
        { field: 'complete', messages: ['send at least one job in complete or fail'] },
      ]);
    }
    if (new Set(ids).size !== ids.length) {
      throw validationProblem([
        { field: 'complete', messages: ['each job may appear once across complete and fail'] },
      ]);
    }
    const outcomes = await this.commandBus.execute(
      new AcknowledgeJobsCommand({
        namespace,
        completions: completions.map(({ id, leaseToken, result }) => ({
          id,
          leaseToken,
          result: result ?? null,
        })),
        failures: failures.map(({ id, leaseToken, error, retryable }) => ({
          id,
          leaseToken,
          error,
          retryable: retryable ?? true,
        })),
      }),
    );
    return {
      results: outcomes.map((item) =>
        item.outcome === 'refused'
          ? { id: item.id, outcome: item.outcome, problem: requiredProblem(item.error) }
          : item,
      ),
    };
  }

  /**
   * Hands held jobs back: pending again, due now, the attempt not counted. For a REST worker
   * that stops before finishing them (a deploy), as an in-process worker does when it drains.
   */
  @Post('release')
  @HttpCode(HttpStatus.OK)
  @Requires('jobs:work', 'none')
  @ApiOperation({
    summary: 'Hand up to 1,000 held jobs back unfinished: pending again at once, the attempt not counted.',
  })
  @ApiOkResponse({ type: ReleasedDocument })
  @ApiProblems(400, 413, 415)
  async release(
    @RequestNamespace() namespace: string,
    @Body() body: ReleaseJobsBody,
  ): Promise<{ released: number }> {
    const proofs = body.jobs.map(({ id, leaseToken }) => ({ id, leaseToken }));
    return { released: await this.commandBus.execute(new ReleaseJobsCommand(namespace, proofs)) };
  }

  @Post('claim')
  @HttpCode(HttpStatus.OK)
  @Requires('jobs:work', 'none')
  @ApiOperation({
    summary: 'Claim due jobs of a queue, highest priority first, each leased to you until leaseExpiresAt.',
  })
  @ApiOkResponse({ type: ClaimedJobsDocument })
  @ApiProblems(400)
  async claim(
    @RequestNamespace() namespace: string,
    @Body() body: ClaimJobsBody,
  ): Promise<{ jobs: ClaimedJobView[] }> {
    const jobs = await this.commandBus.execute(
      new ClaimJobCommand({
        namespace,
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
  @Requires('jobs:work', 'none')
  @ApiOperation({ summary: 'Complete a job you hold, keeping an optional result.' })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The job id.' })
  @ApiOkResponse({
    type: JobDocument,
    description:
      'The job, now completed. With `Idempotent-Replayed: true`, this lease had already completed it ' +
      '(an answer that was lost): nothing changed, and this is that answer again.',
    headers: REPLAYED_HEADER,
  })
  @ApiProblems(400, 404, 409)
  async complete(
    @RequestNamespace() namespace: string,
    @Param('id', jobId) id: string,
    @Body() body: CompleteJobBody,
    @Res({ passthrough: true }) response: unknown,
  ): Promise<JobView> {
    return this.answered(
      response,
      await this.commandBus.execute(new CompleteJobCommand(namespace, id, body.leaseToken, body.result)),
    );
  }

  @Post(':id/fail')
  @HttpCode(HttpStatus.OK)
  @Requires('jobs:work', 'none')
  @ApiOperation({
    summary:
      'Report a failed attempt: retried after the backoff while attempts are left, else dead-lettered.',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The job id.' })
  @ApiOkResponse({
    type: JobDocument,
    description:
      'The job, now failed (retry scheduled) or dead_letter. With `Idempotent-Replayed: true`, this ' +
      'lease had already failed it: nothing changed, and the job is as it is now.',
    headers: REPLAYED_HEADER,
  })
  @ApiProblems(400, 404, 409)
  async fail(
    @RequestNamespace() namespace: string,
    @Param('id', jobId) id: string,
    @Body() body: FailJobBody,
    @Res({ passthrough: true }) response: unknown,
  ): Promise<JobView> {
    return this.answered(
      response,
      await this.commandBus.execute(
        new FailJobCommand(namespace, id, body.leaseToken, body.error, body.retryable ?? true),
      ),
    );
  }

  @Post(':id/progress')
  @HttpCode(HttpStatus.OK)
  @Requires('jobs:work', 'none')
  @ApiOperation({
    summary:
      'Report the progress of a job you hold: a percentage and/or a small object, shown by GET /v1/jobs/{id}. ' +
      'Reports closer together than 250 ms are dropped (recorded: false).',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The job id.' })
  @ApiOkResponse({ type: ProgressResultDocument })
  @ApiProblems(400, 404, 409)
  progress(
    @RequestNamespace() namespace: string,
    @Param('id', jobId) id: string,
    @Body() body: ProgressBody,
  ): Promise<ProgressResult> {
    return this.commandBus.execute(
      new RecordProgressCommand(namespace, id, body.leaseToken, body.percent ?? null, body.data ?? null),
    );
  }

  @Post(':id/heartbeat')
  @HttpCode(HttpStatus.OK)
  @Requires('jobs:work', 'none')
  @ApiOperation({ summary: 'Extend the lease of a job you hold to now + leaseSeconds.' })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The job id.' })
  @ApiOkResponse({ type: HeartbeatDocument })
  @ApiProblems(400, 404, 409)
  heartbeat(
    @RequestNamespace() namespace: string,
    @Param('id', jobId) id: string,
    @Body() body: HeartbeatJobBody,
  ): Promise<HeartbeatResult> {
    return this.commandBus.execute(
      new HeartbeatJobCommand(namespace, id, body.leaseToken, this.leaseSeconds(body.leaseSeconds)),
    );
  }

  @Post(':id/cancel')
  @HttpCode(HttpStatus.OK)
  @Requires('jobs:submit', 'submit')
  @ApiOperation({
    summary:
      "Cancel a pending, failed or running job. A running job's lease is void at once and its handler is told; " +
      'a completion that commits first wins (409, currentStatus completed).',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The job id.' })
  @ApiOkResponse({ type: JobDocument, description: 'The job, now cancelled.' })
  @ApiProblems(400, 404, 409)
  cancel(@RequestNamespace() namespace: string, @Param('id', jobId) id: string): Promise<JobView> {
    return this.commandBus.execute(new CancelJobCommand(namespace, id));
  }

  @Post(':id/retry')
  @HttpCode(HttpStatus.OK)
  @Requires('jobs:submit', 'submit')
  @ApiOperation({
    summary: 'Send a dead-lettered or cancelled job back to pending, with a fresh attempt budget.',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The job id.' })
  @ApiOkResponse({ type: JobDocument, description: 'The job, now pending.' })
  @ApiProblems(400, 404, 409)
  retry(@RequestNamespace() namespace: string, @Param('id', jobId) id: string): Promise<JobView> {
    return this.commandBus.execute(new RetryJobCommand(namespace, id));
  }

  @Get(':id')
  @Requires('jobs:read', 'read')
  @ApiOperation({
    summary:
      'A job, with every status transition, one entry per attempt and its progress; with wait, once it has finished.',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The job id.' })
  @ApiOkResponse({ type: JobWithHistoryDocument })
  @ApiProblems(400, 404, 429)
  get(
    @RequestNamespace() namespace: string,
    @Param('id', jobId) id: string,
    @Query() query: GetJobQueryParams,
  ): Promise<JobWithHistory> {
    return this.queryBus.execute(new GetJobQuery(namespace, id, query.wait ?? 0));
  }

  @Get()
  @Requires('jobs:read', 'read')
  @ApiOperation({
    summary:
      'Jobs, newest first, a page at a time (follow nextCursor); filtered by status, queue, type, error text.',
  })
  @ApiOkResponse({ type: JobPageDocument })
  @ApiProblems(400)
  list(@RequestNamespace() namespace: string, @Query() query: ListJobsQueryParams): Promise<JobPage> {
    return this.queryBus.execute(
      new ListJobsQuery({
        namespace,
        status: query.status ?? null,
        queue: query.queue ?? null,
        type: query.type ?? null,
        limit: query.limit ?? 50,
        cursor: query.cursor ?? null,
        errorContains: query.error ?? null,
        minAgeSeconds: null,
        maxAgeSeconds: null,
      }),
    );
  }

  /** A settled job as the answer, marked when it is the replay of an earlier settlement. */
  private answered(response: unknown, { job, replayed }: SettledJob): JobView {
    if (replayed) this.adapterHost.httpAdapter.setHeader(response, 'Idempotent-Replayed', 'true');
    return job;
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
