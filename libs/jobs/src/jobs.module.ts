import { Module } from '@nestjs/common';
import { AcknowledgeJobsHandler } from './application/commands/acknowledge-jobs/acknowledge-jobs.handler.js';
import { ApplyRetentionHandler } from './application/commands/apply-retention/apply-retention.handler.js';
import { CancelJobHandler } from './application/commands/cancel-job/cancel-job.handler.js';
import { ClaimJobHandler } from './application/commands/claim-job/claim-job.handler.js';
import { CompactJobStatsHandler } from './application/commands/compact-job-stats/compact-job-stats.handler.js';
import { CompleteJobHandler } from './application/commands/complete-job/complete-job.handler.js';
import { ExtendLeasesHandler } from './application/commands/extend-leases/extend-leases.handler.js';
import { FailJobHandler } from './application/commands/fail-job/fail-job.handler.js';
import { HeartbeatJobHandler } from './application/commands/heartbeat-job/heartbeat-job.handler.js';
import { LockJobHandler } from './application/commands/lock-job/lock-job.handler.js';
import { PauseQueueHandler } from './application/commands/pause-queue/pause-queue.handler.js';
import { RecordProgressHandler } from './application/commands/record-progress/record-progress.handler.js';
import { SetQueueLimitsHandler } from './application/commands/set-queue-limits/set-queue-limits.handler.js';
import { ReapExpiredLeasesHandler } from './application/commands/reap-expired-leases/reap-expired-leases.handler.js';
import { RedriveDeadLettersHandler } from './application/commands/redrive-dead-letters/redrive-dead-letters.handler.js';
import { ReleaseJobsHandler } from './application/commands/release-jobs/release-jobs.handler.js';
import { RetryJobHandler } from './application/commands/retry-job/retry-job.handler.js';
import { SubmitJobHandler } from './application/commands/submit-job/submit-job.handler.js';
import { SubmitJobsHandler } from './application/commands/submit-jobs/submit-jobs.handler.js';
import { SubmitWorkflowHandler } from './application/commands/submit-workflow/submit-workflow.handler.js';
import { CancelWorkflowHandler } from './application/commands/cancel-workflow/cancel-workflow.handler.js';
import { RetryWorkflowHandler } from './application/commands/retry-workflow/retry-workflow.handler.js';
import { GetWorkflowHandler } from './application/queries/get-workflow/get-workflow.handler.js';
import { ListWorkflowsHandler } from './application/queries/list-workflows/list-workflows.handler.js';
import { WORKFLOW_READS } from './application/ports/workflow-reads.js';
import { PostgresWorkflowReads } from './infrastructure/postgres-workflow-reads.js';
import { WorkflowsController } from './http/workflows.controller.js';
import { JobLifecycle } from './application/lifecycle/job-lifecycle.js';
import { SettleBatcher } from './application/lifecycle/settle-batcher.js';
import { SubmitGroupCommitter } from './application/lifecycle/submit-group-committer.js';
import { NewJobs } from './application/new-jobs.js';
import { JOB_READS } from './application/ports/job-reads.js';
import { JOB_STORE } from './application/ports/job-store.js';
import { JOB_WAITS } from './application/ports/job-waits.js';
import { QUEUE_CONTROLS } from './application/ports/queue-controls.js';
import { GetDatabaseTimeHandler } from './application/queries/get-database-time/get-database-time.handler.js';
import { GetJobHandler } from './application/queries/get-job/get-job.handler.js';
import { GetQueueGaugesHandler } from './application/queries/get-queue-gauges/get-queue-gauges.handler.js';
import { GetQueueStatsHandler } from './application/queries/get-queue-stats/get-queue-stats.handler.js';
import { GetStatusHistoryHandler } from './application/queries/get-status-history/get-status-history.handler.js';
import { ListJobsHandler } from './application/queries/list-jobs/list-jobs.handler.js';
import { ListQueuesHandler } from './application/queries/list-queues/list-queues.handler.js';
import { DeadLetterController } from './http/dead-letter.controller.js';
import { JobsController } from './http/jobs.controller.js';
import { QueuesController } from './http/queues.controller.js';
import { StatsController } from './http/stats.controller.js';
import { PostgresJobReads } from './infrastructure/postgres-job-reads.js';
import { PostgresJobStore } from './infrastructure/postgres-job-store.js';
import { PostgresJobWaits } from './infrastructure/postgres-job-waits.js';
import { PostgresQueueControls } from './infrastructure/postgres-queue-controls.js';

/**
 * Commands, queries and the lifecycle behind them. Other libraries use the buses, never the ports:
 * nothing is exported. Needs CqrsModule.forRoot(), ConfigModule and DatabaseModule.
 */
@Module({
  providers: [
    { provide: JOB_STORE, useClass: PostgresJobStore },
    { provide: JOB_READS, useClass: PostgresJobReads },
    { provide: QUEUE_CONTROLS, useClass: PostgresQueueControls },
    { provide: JOB_WAITS, useClass: PostgresJobWaits },
    { provide: WORKFLOW_READS, useClass: PostgresWorkflowReads },
    SubmitGroupCommitter,
    SettleBatcher,
    JobLifecycle,
    NewJobs,
    SubmitJobHandler,
    SubmitJobsHandler,
    AcknowledgeJobsHandler,
    ClaimJobHandler,
    CompleteJobHandler,
    FailJobHandler,
    HeartbeatJobHandler,
    LockJobHandler,
    PauseQueueHandler,
    RecordProgressHandler,
    SetQueueLimitsHandler,
    ExtendLeasesHandler,
    ReleaseJobsHandler,
    CancelJobHandler,
    RetryJobHandler,
    RedriveDeadLettersHandler,
    ReapExpiredLeasesHandler,
    ApplyRetentionHandler,
    CompactJobStatsHandler,
    GetJobHandler,
    ListJobsHandler,
    ListQueuesHandler,
    GetQueueStatsHandler,
    GetStatusHistoryHandler,
    GetQueueGaugesHandler,
    GetDatabaseTimeHandler,
    SubmitWorkflowHandler,
    CancelWorkflowHandler,
    RetryWorkflowHandler,
    GetWorkflowHandler,
    ListWorkflowsHandler,
  ],
})
export class JobsModule {}

/** The REST API over the jobs library; left out of worker-only instances (CONVEYOR_ROLE=worker). */
@Module({
  imports: [JobsModule],
  controllers: [JobsController, WorkflowsController, QueuesController, StatsController, DeadLetterController],
})
export class JobsHttpModule {}
