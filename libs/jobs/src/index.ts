// The jobs library's public face: its commands and queries (run them on the CQRS buses), the
// views they return, the lifecycle events, and the domain's names. The ports and their adapters
// stay inside.
export { JobsHttpModule, JobsModule } from './jobs.module.js';
export { JOBS_ENTITIES, JOBS_MIGRATIONS, JOBS_RUNTIME_GRANTS } from './infrastructure/schema.js';
export { JOB_STATUSES, JOB_TRANSITIONS, canTransition, type JobStatus } from './domain/job-status.js';
export { OPERATOR_MOVES, type OperatorMove } from './domain/operator-moves.js';
export type { JobState, LeaseEnd } from './domain/job-state.js';
export {
  type Explanation,
  explainLeaseAction,
  explainOperatorMove,
  type LeaseAction,
} from './domain/refusals.js';
export { type BackoffPolicy, DEFAULT_BACKOFF } from './domain/backoff.js';
export { CALLBACK_JOB, DEFAULT_NAMESPACE, DEFAULT_QUEUE } from './domain/defaults.js';
export { isAllowedTarget } from './domain/allowed-hosts.js';
export { MAX_NAME_LENGTH, NAME_PATTERN } from './http/dto/names.js';
export {
  InvalidSubmissionError,
  type JobSubmission,
  submitJobsInTransaction,
  submitWorkflowInTransaction,
  type WorkflowSubmission,
} from './http/handler-submits.js';
export {
  IdempotencyConflictError,
  InvalidBatchError,
  InvalidPayloadError,
  InvalidWorkflowError,
  WorkflowKeyConflictError,
  JobConflictError,
  JobNotFoundError,
  TooManyWaitersError,
  UnknownJobTypeError,
} from './domain/job.errors.js';
export {
  JOB_TYPE_RULES,
  type JobTypeDefaults,
  type JobTypeRules,
  type PayloadFieldError,
} from './application/job-type-rules.js';
export type { ClaimedJobView, JobEventView, JobView, ParentOutcome } from './application/job-view.js';
export type {
  WorkflowNodeView,
  WorkflowPage,
  WorkflowSummaryView,
  WorkflowView,
} from './application/workflow-view.js';
export {
  FAILURE_POLICIES,
  type FailurePolicy,
  MAX_WORKFLOW_NODES,
  WORKFLOW_STATUSES,
  type WorkflowStatus,
} from './domain/workflow.js';
export type { JobTransaction, LeaseProof } from './application/ports/job-store.js';
export type { QueueGauges } from './application/ports/job-reads.js';
export {
  JobClaimed,
  JobSettled,
  JobSubmitted,
  LeaseExpired,
  type SettleOutcome,
} from './application/lifecycle/lifecycle.events.js';
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
export {
  CompleteJobCommand,
  type SettledJob,
} from './application/commands/complete-job/complete-job.command.js';
export { FailJobCommand } from './application/commands/fail-job/fail-job.command.js';
export {
  HeartbeatJobCommand,
  type HeartbeatResult,
} from './application/commands/heartbeat-job/heartbeat-job.command.js';
export { ExtendLeasesCommand } from './application/commands/extend-leases/extend-leases.command.js';
export { LockJobCommand } from './application/commands/lock-job/lock-job.command.js';
export { PauseQueueCommand } from './application/commands/pause-queue/pause-queue.command.js';
export {
  type ProgressResult,
  RecordProgressCommand,
} from './application/commands/record-progress/record-progress.command.js';
export {
  type QueueLimits,
  type RateLimit,
  SetQueueLimitsCommand,
} from './application/commands/set-queue-limits/set-queue-limits.command.js';
export { ReleaseJobsCommand } from './application/commands/release-jobs/release-jobs.command.js';
export { CancelJobCommand } from './application/commands/cancel-job/cancel-job.command.js';
export {
  SubmitWorkflowCommand,
  type SubmitWorkflowInput,
  type SubmitWorkflowResult,
  type WorkflowNodeInput,
} from './application/commands/submit-workflow/submit-workflow.command.js';
export { CancelWorkflowCommand } from './application/commands/cancel-workflow/cancel-workflow.command.js';
export { RetryWorkflowCommand } from './application/commands/retry-workflow/retry-workflow.command.js';
export { GetWorkflowQuery } from './application/queries/get-workflow/get-workflow.query.js';
export { ListWorkflowsQuery } from './application/queries/list-workflows/list-workflows.query.js';
export { RetryJobCommand } from './application/commands/retry-job/retry-job.command.js';
export { RedriveDeadLettersCommand } from './application/commands/redrive-dead-letters/redrive-dead-letters.command.js';
export { ReapExpiredLeasesCommand } from './application/commands/reap-expired-leases/reap-expired-leases.command.js';
export {
  ApplyRetentionCommand,
  type RetentionResult,
} from './application/commands/apply-retention/apply-retention.command.js';
export { CompactJobStatsCommand } from './application/commands/compact-job-stats/compact-job-stats.command.js';
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
export {
  GetStatusHistoryQuery,
  type HistoryPoint,
  type QueueHistory,
  type StatusHistory,
} from './application/queries/get-status-history/get-status-history.query.js';
export { GetQueueGaugesQuery } from './application/queries/get-queue-gauges/get-queue-gauges.query.js';
export {
  ListQueuesQuery,
  type QueueList,
  type QueueView,
} from './application/queries/list-queues/list-queues.query.js';
export { GetDatabaseTimeQuery } from './application/queries/get-database-time/get-database-time.query.js';
