import type { TableGrant } from '#conveyor/database';
import { IdempotencyKeyEntity } from './entities/idempotency-key.entity.js';
import { JobEventEntity } from './entities/job-event.entity.js';
import { JobEntity } from './entities/job.entity.js';
import { QueueControlEntity } from './entities/queue-control.entity.js';
import { CreateJobs1764288000000 } from './migrations/1764288000000-create-jobs.js';
import { WorkerSupport1764374400000 } from './migrations/1764374400000-worker-support.js';
import { ClaimedAt1764460800000 } from './migrations/1764460800000-claimed-at.js';
import { JobStats1764547200000 } from './migrations/1764547200000-job-stats.js';
import { Traceparent1764633600000 } from './migrations/1764633600000-traceparent.js';
import { NotifyTypes1764806400000 } from './migrations/1764806400000-notify-types.js';
import { KeysReleasedByTrigger1764892800000 } from './migrations/1764892800000-keys-released-by-trigger.js';
import { CreationEventFromRow1764979200000 } from './migrations/1764979200000-creation-event-from-row.js';
import { JobCountEntity, JobStatDeltaEntity, JobStatusMinuteEntity } from './entities/job-stats.entities.js';
import { LeaseEnds1765065600000 } from './migrations/1765065600000-lease-ends.js';
import { GuardedJobs1765152000000 } from './migrations/1765152000000-guarded-jobs.js';
import { QueueControls1765238400000 } from './migrations/1765238400000-queue-controls.js';
import { CancelRunning1765324800000 } from './migrations/1765324800000-cancel-running.js';
import { FlowLimits1765411200000 } from './migrations/1765411200000-flow-limits.js';
import { JobProgress1765497600000 } from './migrations/1765497600000-job-progress.js';
import { JobWaits1765584000000 } from './migrations/1765584000000-job-waits.js';
import { RateLimits1765670400000 } from './migrations/1765670400000-rate-limits.js';
import { CompletionCallbacks1765756800000 } from './migrations/1765756800000-completion-callbacks.js';
import { WaitingKeys1765843200000 } from './migrations/1765843200000-waiting-keys.js';
import { WakeWaitersOnFinish1765929600000 } from './migrations/1765929600000-wake-waiters-on-finish.js';
import { ErrorTextSearch1766016000000 } from './migrations/1766016000000-error-text-search.js';
import { Workflows1766102400000 } from './migrations/1766102400000-workflows.js';
import { TransitionJoins1766188800000 } from './migrations/1766188800000-transition-joins.js';
import { VacuumAtScale1766275200000 } from './migrations/1766275200000-vacuum-at-scale.js';
import { HeartbeatsExtend1766361600000 } from './migrations/1766361600000-heartbeats-extend.js';
import { ClaimByType1766448000000 } from './migrations/1766448000000-claim-by-type.js';
import { JobWaitEntity } from './entities/job-wait.entity.js';
import { JobProgressEntity } from './entities/job-progress.entity.js';
import { JobDependencyEntity } from './entities/job-dependency.entity.js';
import { WorkflowEntity } from './entities/workflow.entity.js';

export const JOBS_ENTITIES = [
  JobEntity,
  JobEventEntity,
  IdempotencyKeyEntity,
  JobStatDeltaEntity,
  JobCountEntity,
  JobStatusMinuteEntity,
  QueueControlEntity,
  JobProgressEntity,
  JobWaitEntity,
  WorkflowEntity,
  JobDependencyEntity,
];
/** In order. Listed, not globbed: the build is ESM and the CLI, the app and tests load the same list. */
export const JOBS_MIGRATIONS = [
  CreateJobs1764288000000,
  WorkerSupport1764374400000,
  ClaimedAt1764460800000,
  JobStats1764547200000,
  Traceparent1764633600000,
  NotifyTypes1764806400000,
  KeysReleasedByTrigger1764892800000,
  CreationEventFromRow1764979200000,
  LeaseEnds1765065600000,
  GuardedJobs1765152000000,
  QueueControls1765238400000,
  CancelRunning1765324800000,
  FlowLimits1765411200000,
  JobProgress1765497600000,
  JobWaits1765584000000,
  RateLimits1765670400000,
  CompletionCallbacks1765756800000,
  WaitingKeys1765843200000,
  WakeWaitersOnFinish1765929600000,
  ErrorTextSearch1766016000000,
  Workflows1766102400000,
  TransitionJoins1766188800000,
  VacuumAtScale1766275200000,
  HeartbeatsExtend1766361600000,
  ClaimByType1766448000000,
];

/**
 * What the service's runtime role may do to the jobs tables (granted at boot by the migration
 * runner, see #conveyor/database grantRuntimePrivileges): rows as the lifecycle moves them, and
 * nothing else. It updates only the lifecycle's columns of a job (what a job is stays as submitted),
 * and only reads its history: the history is written and deleted by the owner's trigger functions.
 */
export const JOBS_RUNTIME_GRANTS: readonly TableGrant[] = [
  {
    table: 'jobs',
    privileges: ['SELECT', 'INSERT', 'DELETE'],
    update: [
      'status',
      'run_at',
      'attempts',
      'lease_token',
      'lease_expires_at',
      'worker_id',
      'last_error',
      'result',
      'claimed_at',
      'last_lease_token',
      'last_lease_end',
      'updated_at',
    ],
  },
  { table: 'job_events', privileges: ['SELECT'] },
  // Workflows are inserted whole and deleted by retention; their edges are inserted with them and
  // moved only by the owner's trigger (jobs_follow_dependencies), and go with their jobs.
  { table: 'workflows', privileges: ['SELECT', 'INSERT', 'DELETE'] },
  { table: 'job_dependencies', privileges: ['SELECT', 'INSERT'] },
  {
    table: 'job_idempotency_keys',
    privileges: ['SELECT', 'INSERT', 'DELETE'],
    update: ['job_id', 'fingerprint', 'expires_at', 'created_at'],
  },
  { table: 'job_stat_deltas', privileges: ['SELECT', 'INSERT', 'DELETE'] },
  { table: 'job_counts', privileges: ['SELECT', 'INSERT'], update: ['count'] },
  { table: 'job_status_minutes', privileges: ['SELECT', 'INSERT', 'DELETE'], update: ['entered'] },
  { table: 'job_waits', privileges: ['SELECT', 'INSERT', 'DELETE'] },
  { table: 'job_progress', privileges: ['SELECT', 'INSERT'], update: ['percent', 'data', 'updated_at'] },
  {
    table: 'queue_controls',
    privileges: ['SELECT', 'INSERT'],
    update: [
      'paused',
      'concurrency_limit',
      'key_concurrency_limit',
      'rate_limit',
      'rate_period_seconds',
      'rate_tokens',
      'rate_refilled_at',
      'key_cursor',
      'updated_at',
    ],
  },
];
