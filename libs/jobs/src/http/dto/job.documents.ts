import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { JsonValueDocument, ProblemDocument, type Wire } from '#conveyor/http';
import type {
  ClaimedJobView,
  JobEventView,
  JobView,
  ParentOutcome,
  ProgressView,
} from '../../application/job-view.js';
import type { HeartbeatResult } from '../../application/commands/heartbeat-job/heartbeat-job.command.js';
import type { ProgressResult } from '../../application/commands/record-progress/record-progress.command.js';
import type { JobWithHistory } from '../../application/queries/get-job/get-job.query.js';
import type {
  JobStats,
  Percentiles,
  PerMinute,
  QueueStats,
} from '../../application/queries/get-queue-stats/get-queue-stats.query.js';
import type {
  QueueList,
  QueueView,
  RateLimitView,
} from '../../application/queries/list-queues/list-queues.query.js';
import type { JobPage } from '../../application/queries/list-jobs/list-jobs.query.js';
import type {
  HistoryPoint,
  QueueHistory,
  StatusHistory,
} from '../../application/queries/get-status-history/get-status-history.query.js';
import type { AttemptRecord } from '../../domain/attempt-history.js';
import type { BackoffPolicy } from '../../domain/backoff.js';
import type { AttemptOutcome } from '../../domain/attempt-history.js';
import { JOB_STATUSES, type JobStatus } from '../../domain/job-status.js';
import { MAX_HISTORY_MINUTES } from './stats.params.js';
import { BACKOFF_TYPES } from './submit-job.body.js';

// The response shapes of the jobs API (libs/jobs/src/application), for the OpenAPI document only.
// Dates are ISO 8601 strings on the wire.

const ATTEMPT_OUTCOMES = Object.keys({
  running: 0,
  completed: 0,
  failed: 0,
  dead_letter: 0,
  lease_expired: 0,
  released: 0,
  cancelled: 0,
} satisfies Record<AttemptOutcome, 0>);

export class BackoffDocument implements Wire<BackoffPolicy> {
  @ApiProperty({ enum: BACKOFF_TYPES })
  type: (typeof BACKOFF_TYPES)[number];

  @ApiProperty({ type: 'integer', example: 1000 })
  delayMs: number;

  @ApiProperty({ type: 'integer', example: 300_000 })
  maxDelayMs: number;
}

/** JobView. */
export class JobDocument implements Wire<JobView> {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'default' })
  namespace: string;

  @ApiProperty({ example: 'email.send' })
  type: string;

  @ApiProperty({ example: 'default' })
  queue: string;

  @ApiProperty({ enum: JOB_STATUSES })
  status: JobStatus;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { to: 'ada@example.com' } })
  payload: Record<string, unknown>;

  @ApiProperty({ type: 'integer', description: 'Higher is claimed first.' })
  priority: number;

  @ApiProperty({ type: 'integer', description: 'Attempts started so far.' })
  attempts: number;

  @ApiProperty({ type: 'integer' })
  maxAttempts: number;

  @ApiProperty({ format: 'date-time', description: 'Not claimed before this (also: when a retry is due).' })
  runAt: string;

  @ApiProperty({ type: () => BackoffDocument })
  backoff: BackoffDocument;

  @ApiProperty({ description: 'The key sent with the submit, or the fingerprint of its content.' })
  idempotencyKey: string;

  @ApiProperty({ type: 'string', nullable: true, description: 'The error of the last failed attempt.' })
  lastError: string | null;

  @ApiProperty({
    type: () => JsonValueDocument,
    description: 'What the worker completed the job with (any JSON value); null until then.',
  })
  result: unknown;

  @ApiProperty({ type: 'string', nullable: true, description: 'The worker of the current or last attempt.' })
  workerId: string | null;

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, description: 'Set while processing.' })
  leaseExpiresAt: string | null;

  @ApiProperty({
    type: 'string',
    format: 'date-time',
    nullable: true,
    description: 'When the current or last attempt was claimed.',
  })
  claimedAt: string | null;

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'W3C trace context of the submit; a worker continues this trace.',
  })
  traceparent: string | null;

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: "Whose job this is for the queue's per-key concurrency limit; null when none.",
    example: 'customer-42',
  })
  concurrencyKey: string | null;

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'Where the outcome is POSTed when the job finishes; null when nowhere.',
    example: 'https://shop.example/hooks/conveyor',
  })
  callbackUrl: string | null;

  @ApiProperty({
    type: 'string',
    format: 'uuid',
    nullable: true,
    description: 'The workflow this job is a node of (docs/workflows.md); null when in none.',
  })
  workflowId: string | null;

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: "The node's reference in its workflow; null when in none.",
    example: 'resize',
  })
  workflowRef: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

/** ParentOutcome: one dependency of a claimed workflow node. */
export class ParentOutcomeDocument implements Wire<ParentOutcome> {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({
    enum: JOB_STATUSES,
    description: 'completed, or dead_letter / cancelled when the dependency lets the node run anyway.',
  })
  status: JobStatus;

  @ApiProperty({ type: () => JsonValueDocument, description: 'What it completed with; null otherwise.' })
  result: unknown;
}

/** ClaimedJobView. */
@ApiExtraModels(ParentOutcomeDocument)
export class ClaimedJobDocument extends JobDocument implements Wire<ClaimedJobView> {
  @ApiProperty({
    format: 'uuid',
    description: 'Proof of ownership for this attempt: send it to heartbeat, complete and fail.',
  })
  leaseToken: string;

  @ApiProperty({
    format: 'date-time',
    nullable: false,
    description: 'Heartbeat before this, or the job may go to another worker.',
  })
  override leaseExpiresAt: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(ParentOutcomeDocument) },
    description:
      "A workflow node's dependencies by their reference, with their results; empty for any other job.",
    example: {
      resize: {
        id: '0b5e7a52-4a8e-4f0e-9a53-7e0a0a4d8f11',
        status: 'completed',
        result: { url: 's3://bucket/a.png' },
      },
    },
  })
  parents: Record<string, ParentOutcomeDocument>;
}

/** { jobs } from POST /v1/jobs/claim. */
export class ClaimedJobsDocument implements Wire<{ jobs: ClaimedJobView[] }> {
  @ApiProperty({ type: [ClaimedJobDocument], description: 'Empty when no job is due.' })
  jobs: ClaimedJobDocument[];
}

/** JobEventView: one status transition. */
export class JobEventDocument implements Wire<JobEventView> {
  @ApiProperty({ enum: JOB_STATUSES, nullable: true, description: 'null for the submit.' })
  fromStatus: JobStatus | null;

  @ApiProperty({ enum: JOB_STATUSES })
  toStatus: JobStatus;

  @ApiProperty({ type: 'integer' })
  attempt: number;

  @ApiProperty({ type: 'string', nullable: true })
  workerId: string | null;

  @ApiProperty({ type: 'string', nullable: true })
  error: string | null;

  @ApiProperty({ format: 'date-time' })
  occurredAt: string;
}

/** AttemptRecord. */
export class AttemptDocument implements Wire<AttemptRecord> {
  @ApiProperty({ type: 'integer' })
  attempt: number;

  @ApiProperty({ type: 'string', nullable: true })
  workerId: string | null;

  @ApiProperty({ format: 'date-time' })
  startedAt: string;

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, description: 'null while running.' })
  endedAt: string | null;

  @ApiProperty({ type: 'integer', nullable: true, description: 'null while running.' })
  durationMs: number | null;

  @ApiProperty({
    enum: ATTEMPT_OUTCOMES,
    description:
      'failed: a retry is scheduled; lease_expired: the worker stopped heartbeating; ' +
      'released: handed back by a draining worker, not counted; cancelled: cancelled while running.',
  })
  outcome: AttemptOutcome;

  @ApiProperty({ type: 'string', nullable: true })
  error: string | null;
}

export class ProgressResultDocument implements Wire<ProgressResult> {
  @ApiProperty({ description: 'false: dropped, the last report is less than 250 ms old.' })
  recorded: boolean;
}

export class ProgressDocument implements Wire<ProgressView> {
  @ApiProperty({ type: 'number', nullable: true, minimum: 0, maximum: 100, example: 40 })
  percent: number | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: "A small JSON object of the worker's own.",
    example: { rows: 4000 },
  })
  data: Record<string, unknown> | null;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

/** JobWithHistory, from GET /v1/jobs/:id. */
export class JobWithHistoryDocument extends JobDocument implements Wire<JobWithHistory> {
  @ApiProperty({ type: [JobEventDocument], description: 'Every transition, oldest first.' })
  events: JobEventDocument[];

  @ApiProperty({ type: [AttemptDocument], description: 'One entry per attempt, oldest first.' })
  attemptHistory: AttemptDocument[];

  @ApiProperty({
    type: () => ProgressDocument,
    nullable: true,
    description: 'What its lease holder last reported of its progress; null when nothing was.',
  })
  progress: ProgressDocument | null;
}

/** JobPage. */
export class JobPageDocument implements Wire<JobPage> {
  @ApiProperty({ type: [JobDocument], description: 'Newest first.' })
  items: JobDocument[];

  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'Pass back as `cursor` for the next page; null on the last page.',
  })
  nextCursor: string | null;
}

/** HeartbeatResult. */
export class HeartbeatDocument implements Wire<HeartbeatResult> {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'date-time', description: 'The new end of the lease.' })
  leaseExpiresAt: string;
}

/** { redriven } from POST /v1/dead-letter/redrive. */
export class ReleasedDocument {
  @ApiProperty({
    type: 'integer',
    description:
      'How many went back to pending. A job whose lease was already lost is not counted: it is not yours to hand back.',
  })
  released: number;
}

export class RedriveDocument {
  @ApiProperty({ type: 'integer', description: 'How many dead letters went back to pending.' })
  redriven: number;
}

/** Jobs per minute that entered a status, averaged over the last 1, 5 and 15 minutes. */
export class PerMinuteDocument implements Wire<PerMinute> {
  @ApiProperty({ name: '1m', example: 61 })
  '1m': number;

  @ApiProperty({ name: '5m', example: 58.4 })
  '5m': number;

  @ApiProperty({ name: '15m', example: 40.1 })
  '15m': number;
}

export class ThroughputDocument implements Wire<QueueStats['throughput']> {
  @ApiProperty({ type: () => PerMinuteDocument })
  completed: PerMinuteDocument;

  @ApiProperty({ type: () => PerMinuteDocument })
  failed: PerMinuteDocument;

  @ApiProperty({ type: () => PerMinuteDocument })
  deadLettered: PerMinuteDocument;
}

/** Jobs per status, every status present (zero included). */
export class StatusCountsDocument implements Record<JobStatus, number> {
  @ApiProperty({ type: 'integer', description: 'Workflow nodes waiting for the jobs they depend on.' })
  waiting: number;

  @ApiProperty({ type: 'integer' })
  pending: number;

  @ApiProperty({ type: 'integer' })
  processing: number;

  @ApiProperty({ type: 'integer' })
  completed: number;

  @ApiProperty({ type: 'integer' })
  failed: number;

  @ApiProperty({ type: 'integer' })
  dead_letter: number;

  @ApiProperty({ type: 'integer' })
  cancelled: number;
}

export class QueueStatsDocument implements Wire<QueueStats> {
  @ApiProperty({ example: 'default' })
  queue: string;

  @ApiProperty({ type: () => StatusCountsDocument })
  counts: StatusCountsDocument;

  @ApiProperty({
    type: 'number',
    nullable: true,
    description: 'How long the oldest due pending job has waited; null when none is waiting.',
    example: 0.42,
  })
  oldestPendingAgeSeconds: number | null;

  @ApiProperty({ type: () => ThroughputDocument })
  throughput: ThroughputDocument;
}

export class RateLimitDocument implements Wire<RateLimitView> {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'Jobs started per period, at most.', example: 10 })
  limit: number;

  @ApiProperty({ type: 'integer', minimum: 1, example: 1 })
  periodSeconds: number;

  @ApiProperty({
    type: 'number',
    minimum: 0,
    description:
      'How long until the limit lets the next job start, like Retry-After; 0 when one may start now.',
    example: 0,
  })
  nextStartInSeconds: number;
}

export class TypeLimitDocument implements Wire<QueueView['typeLimits'][number]> {
  @ApiProperty({ example: 'email.send' })
  type: string;

  @ApiProperty({ type: 'integer', minimum: 1, nullable: true, example: 5 })
  concurrencyLimit: number | null;

  @ApiProperty({ type: () => RateLimitDocument, nullable: true })
  rateLimit: RateLimitDocument | null;
}

export class QueueDocument implements Wire<QueueView> {
  @ApiProperty({ example: 'default' })
  queue: string;

  @ApiProperty({ description: 'The whole queue is paused: its jobs are accepted, but no claim takes them.' })
  paused: boolean;

  @ApiProperty({
    type: [String],
    description: 'Job types of the queue paused on their own, whatever the queue itself is.',
    example: [],
  })
  pausedTypes: string[];

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'Most of its jobs running at once across the cluster; null for no limit.',
    example: 20,
  })
  concurrencyLimit: number | null;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'Most of its jobs with one concurrencyKey running at once; null for no limit.',
    example: 1,
  })
  keyConcurrencyLimit: number | null;

  @ApiProperty({
    type: () => RateLimitDocument,
    nullable: true,
    description: 'Jobs started per period; null for no limit.',
  })
  rateLimit: RateLimitDocument | null;

  @ApiProperty({ type: () => [TypeLimitDocument], description: 'Limits of single job types of the queue.' })
  typeLimits: TypeLimitDocument[];

  @ApiProperty({ type: () => StatusCountsDocument })
  counts: StatusCountsDocument;

  @ApiProperty({
    type: 'number',
    nullable: true,
    description: 'How long the oldest due pending job has waited; null when none is waiting.',
    example: 0.42,
  })
  oldestPendingAgeSeconds: number | null;
}

export class QueueListDocument implements Wire<QueueList> {
  @ApiProperty({ type: () => [QueueDocument] })
  queues: QueueDocument[];
}

export class PercentilesDocument implements Wire<Percentiles> {
  @ApiProperty()
  p50: number;

  @ApiProperty()
  p95: number;

  @ApiProperty()
  p99: number;
}

export class LatencyDocument implements Wire<JobStats['latency']> {
  @ApiProperty({
    type: 'integer',
    description: 'How many recently completed jobs (up to 1,000) this is over.',
  })
  sample: number;

  @ApiProperty({
    type: () => PercentilesDocument,
    nullable: true,
    description: 'From runAt to the claim; null without completed jobs.',
  })
  waitSeconds: PercentilesDocument | null;

  @ApiProperty({
    type: () => PercentilesDocument,
    nullable: true,
    description: 'From the claim to completion; null without completed jobs.',
  })
  runSeconds: PercentilesDocument | null;
}

/** JobStats, from GET /v1/stats. */
export class JobStatsDocument implements Wire<JobStats> {
  @ApiProperty({ type: [QueueStatsDocument], description: 'One entry per queue, by name.' })
  queues: QueueStatsDocument[];

  @ApiProperty({ type: () => LatencyDocument })
  latency: LatencyDocument;
}

export class HistoryPointDocument implements Wire<HistoryPoint> {
  @ApiProperty({
    format: 'date-time',
    description: "The minute's first instant, by the database clock.",
    example: '2026-12-02T16:01:00.000Z',
  })
  minute: string;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Jobs completed in this minute.', example: 12 })
  completed: number;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description: 'Attempts that failed in this minute with a retry scheduled.',
    example: 0,
  })
  failed: number;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Jobs dead-lettered in this minute.', example: 1 })
  deadLettered: number;
}

export class QueueHistoryDocument implements Wire<QueueHistory> {
  @ApiProperty({ example: 'default' })
  queue: string;

  @ApiProperty({
    type: [HistoryPointDocument],
    description: 'One per minute of the window, oldest first, zeros included.',
  })
  points: HistoryPointDocument[];
}

/** StatusHistory, from GET /v1/stats/history. */
export class StatusHistoryDocument implements Wire<StatusHistory> {
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: MAX_HISTORY_MINUTES,
    description: 'The window, in whole minutes.',
  })
  minutes: number;

  @ApiProperty({
    type: [QueueHistoryDocument],
    description: 'One entry per queue with jobs now or entries in the window, by name.',
  })
  queues: QueueHistoryDocument[];
}

/** One job of POST /v1/jobs/batch, in the order sent. */
export class BatchItemDocument {
  @ApiProperty({
    type: 'integer',
    enum: [201, 200, 400, 422, 429],
    description:
      '201 created, 200 replay of an existing key, 400 refused by the database (job-refused), ' +
      '422 key reused with other content, 429 namespace full.',
  })
  status: number;

  @ApiProperty({
    format: 'uuid',
    required: false,
    description: 'The job, with 201 and 200 (GET /v1/jobs/:id has it all).',
  })
  id?: string;

  @ApiProperty({ type: ProblemDocument, required: false, description: 'With 400, 422 and 429.' })
  problem?: ProblemDocument;
}

export class BatchDocument {
  @ApiProperty({ type: [BatchItemDocument] })
  jobs: BatchItemDocument[];
}

/** One job of POST /v1/jobs/ack: completions first, then failures, each in the order sent. */
export class AckItemDocument {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: ['completed', 'failed', 'dead_letter', 'refused'] })
  outcome: string;

  @ApiProperty({
    type: 'boolean',
    required: false,
    description:
      'With a settled outcome: true when this lease had already settled the job this way (an answer ' +
      'that was lost) and nothing changed now.',
  })
  replayed?: boolean;

  @ApiProperty({
    type: ProblemDocument,
    required: false,
    description: 'With `refused`: 404 job-not-found, or 409 lease-lost / illegal-transition.',
  })
  problem?: ProblemDocument;
}

export class AckDocument {
  @ApiProperty({ type: [AckItemDocument] })
  results: AckItemDocument[];
}
