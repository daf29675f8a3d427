export { JobsHttpModule, JobsModule } from './jobs.module.js';
export { JOBS_ENTITIES, JOBS_MIGRATIONS } from './infrastructure/schema.js';
export { JOB_STATUSES, JOB_TRANSITIONS, canTransition, type JobStatus } from './domain/job-status.js';
export { type BackoffPolicy, DEFAULT_BACKOFF } from './domain/backoff.js';
export {
  IdempotencyConflictError,
  InvalidPayloadError,
  JobConflictError,
  JobNotFoundError,
  UnknownJobTypeError,
} from './domain/job.errors.js';
export {
  JOB_TYPE_RULES,
  type JobTypeDefaults,
  type JobTypeRules,
  type PayloadFieldError,
} from './application/job-type-rules.js';
export { type ClaimOutcome, JobRepository, type ReapedJob } from './infrastructure/job.repository.js';
export type { ClaimedJobView, JobEventView, JobView } from './application/job-view.js';
export {
  SubmitJobCommand,
  type SubmitJobInput,
  type SubmitJobResult,
} from './application/commands/submit-job/submit-job.command.js';
export {
  SubmitJobsCommand,
  type BatchItemOutcome,
} from './application/commands/submit-jobs/submit-jobs.command.js';
export {
  AcknowledgeJobsCommand,
  type AckOutcome,
} from './application/commands/acknowledge-jobs/acknowledge-jobs.command.js';
export { ClaimJobCommand, type ClaimJobInput } from './application/commands/claim-job/claim-job.command.js';
export { CompleteJobCommand } from './application/commands/complete-job/complete-job.command.js';
export { FailJobCommand } from './application/commands/fail-job/fail-job.command.js';
export {
  HeartbeatJobCommand,
  type HeartbeatResult,
} from './application/commands/heartbeat-job/heartbeat-job.command.js';
export { CancelJobCommand } from './application/commands/cancel-job/cancel-job.command.js';
export { RetryJobCommand } from './application/commands/retry-job/retry-job.command.js';
export { GetJobQuery, type JobWithHistory } from './application/queries/get-job/get-job.query.js';
export {
  ListJobsQuery,
  type JobPage,
  type ListJobsInput,
} from './application/queries/list-jobs/list-jobs.query.js';
export {
  GetQueueStatsQuery,
  type JobStats,
  type QueueStats,
} from './application/queries/get-queue-stats/get-queue-stats.query.js';
export { DEFAULT_NAMESPACE, DEFAULT_QUEUE } from './domain/defaults.js';
export { RedriveDeadLettersCommand } from './application/commands/redrive-dead-letters/redrive-dead-letters.command.js';
export {
  JobClaimed,
  JobSettled,
  JobSubmitted,
  LeaseExpired,
  type SettleOutcome,
} from './domain/lifecycle.events.js';
