export {
  type AckOutcome,
  type Acknowledgements,
  type BatchOutcome,
  type Caller,
  type ClaimedJob,
  type ClaimRequest,
  ConveyorClient,
  type ConveyorClientOptions,
  type DeadLetterFilter,
  type Job,
  type JobPage,
  type JobWithHistory,
  type ListJobsFilter,
  newIdempotencyKey,
  type Queue,
  type QueueLimits,
  type RedriveFilter,
  type Stats,
  type StatusHistory,
  type SubmitJob,
} from './client.js';
export type { components, operations, paths } from './generated/api.js';
export { ConveyorProblem, type Problem } from './problem.js';
export { DEFAULT_RETRY, type RetryPolicy } from './retry.js';
export {
  type JobContext,
  type JobHandler,
  PermanentJobError,
  RestWorker,
  type WorkerOptions,
} from './worker.js';
