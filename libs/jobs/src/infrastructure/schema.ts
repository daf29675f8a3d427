import { IdempotencyKeyEntity } from './entities/idempotency-key.entity.js';
import { JobEventEntity } from './entities/job-event.entity.js';
import { JobEntity } from './entities/job.entity.js';
import { CreateJobs1764288000000 } from './migrations/1764288000000-create-jobs.js';
import { WorkerSupport1764374400000 } from './migrations/1764374400000-worker-support.js';
import { ClaimedAt1764460800000 } from './migrations/1764460800000-claimed-at.js';
import { JobStats1764547200000 } from './migrations/1764547200000-job-stats.js';
import { Traceparent1764633600000 } from './migrations/1764633600000-traceparent.js';
import { NotifyTypes1764806400000 } from './migrations/1764806400000-notify-types.js';
import { KeysReleasedByTrigger1764892800000 } from './migrations/1764892800000-keys-released-by-trigger.js';
import { CreationEventFromRow1764979200000 } from './migrations/1764979200000-creation-event-from-row.js';
import { LeaseEnds1765065600000 } from './migrations/1765065600000-lease-ends.js';
import { JobCountEntity, JobStatDeltaEntity, JobStatusMinuteEntity } from './entities/job-stats.entities.js';

export const JOBS_ENTITIES = [
  JobEntity,
  JobEventEntity,
  IdempotencyKeyEntity,
  JobStatDeltaEntity,
  JobCountEntity,
  JobStatusMinuteEntity,
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
];
