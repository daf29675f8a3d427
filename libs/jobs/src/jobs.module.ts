import { Module } from '@nestjs/common';
import { AcknowledgeJobsHandler } from './application/commands/acknowledge-jobs/acknowledge-jobs.handler.js';
import { CancelJobHandler } from './application/commands/cancel-job/cancel-job.handler.js';
import { ClaimJobHandler } from './application/commands/claim-job/claim-job.handler.js';
import { CompleteJobHandler } from './application/commands/complete-job/complete-job.handler.js';
import { FailJobHandler } from './application/commands/fail-job/fail-job.handler.js';
import { HeartbeatJobHandler } from './application/commands/heartbeat-job/heartbeat-job.handler.js';
import { RedriveDeadLettersHandler } from './application/commands/redrive-dead-letters/redrive-dead-letters.handler.js';
import { RetryJobHandler } from './application/commands/retry-job/retry-job.handler.js';
import { SubmitJobHandler } from './application/commands/submit-job/submit-job.handler.js';
import { SubmitJobsHandler } from './application/commands/submit-jobs/submit-jobs.handler.js';
import { NewJobs } from './application/new-jobs.js';
import { GetJobHandler } from './application/queries/get-job/get-job.handler.js';
import { GetQueueStatsHandler } from './application/queries/get-queue-stats/get-queue-stats.handler.js';
import { ListJobsHandler } from './application/queries/list-jobs/list-jobs.handler.js';
import { DeadLetterController } from './http/dead-letter.controller.js';
import { JobsController } from './http/jobs.controller.js';
import { StatsController } from './http/stats.controller.js';
import { JobRepository } from './infrastructure/job.repository.js';
import { SettleBatcher } from './infrastructure/settle-batcher.js';
import { SubmitGroupCommitter } from './infrastructure/submit-group-committer.js';

/** Commands, queries and persistence. Needs CqrsModule.forRoot(), ConfigModule and DatabaseModule. */
@Module({
  providers: [
    JobRepository,
    SubmitGroupCommitter,
    SettleBatcher,
    NewJobs,
    SubmitJobHandler,
    SubmitJobsHandler,
    AcknowledgeJobsHandler,
    ClaimJobHandler,
    CompleteJobHandler,
    FailJobHandler,
    HeartbeatJobHandler,
    CancelJobHandler,
    RetryJobHandler,
    RedriveDeadLettersHandler,
    GetJobHandler,
    ListJobsHandler,
    GetQueueStatsHandler,
  ],
  exports: [JobRepository],
})
export class JobsModule {}

/** The REST API over the jobs library; left out of worker-only instances (CONVEYOR_ROLE=worker). */
@Module({
  imports: [JobsModule],
  controllers: [JobsController, StatsController, DeadLetterController],
})
export class JobsHttpModule {}
