export { WorkerModule } from './worker.module.js';
export { deliverWebhook, SIGNATURE_HEADER, signWebhook, WebhookPayload } from './webhook.js';
export {
  type CronSchedule,
  JobHandler,
  type JobHandlerInstance,
  type JobHandlerOptions,
} from './job-handler.decorator.js';
export {
  type IsolationLevel,
  JobCancelledError,
  type JobContext,
  JobTimeoutError,
  LeaseLostError,
  PermanentJobError,
  type ProgressUpdate,
  type TransactionOptions,
  WorkerShutdownError,
} from './job-context.js';
export { HandlerRegistrationError, HandlerRegistry } from './handler-registry.js';
export { WorkerService } from './worker.service.js';
export { HousekeepingService } from './housekeeping.service.js';
export { CronSchedulerService } from './cron-scheduler.service.js';
// What context.submit takes and may throw, from the jobs library that validates it.
export {
  IdempotencyConflictError,
  InvalidBatchError,
  InvalidSubmissionError,
  InvalidWorkflowError,
  type JobSubmission,
  type ParentOutcome,
  WorkflowKeyConflictError,
  type WorkflowSubmission,
} from '#conveyor/jobs';
