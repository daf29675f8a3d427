import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { JobStatus } from '../../domain/job-status.js';

/**
 * The `jobs` table. The migration CreateJobs also installs what TypeORM cannot describe: the
 * transition trigger, the event-recording triggers and the backoff function. Indexes marked
 * `synchronize: false` have a column order or predicate TypeORM cannot express; the migration
 * creates them exactly as the claim and list queries need them.
 */
@Entity('jobs')
@Check(
  'jobs_status_check',
  `"status" IN ('waiting', 'pending', 'processing', 'completed', 'failed', 'dead_letter', 'cancelled')`,
)
@Check('jobs_attempts_check', `"attempts" >= 0`)
@Check('jobs_max_attempts_check', `"max_attempts" >= 1`)
@Check('jobs_attempts_limit_check', `"attempts" <= "max_attempts"`)
@Check(
  'jobs_last_lease_end_check',
  `"last_lease_end" IN ('completed', 'failed', 'expired', 'released', 'cancelled')`,
)
@Check('jobs_last_lease_check', `("last_lease_token" IS NULL) = ("last_lease_end" IS NULL)`)
@Check(
  'jobs_lease_check',
  `("status" = 'processing') = ("lease_token" IS NOT NULL AND "lease_expires_at" IS NOT NULL)`,
)
@Index('jobs_claim_due_idx', { synchronize: false })
@Index('jobs_claim_due_type_idx', { synchronize: false })
@Index('jobs_lease_expiry_idx', { synchronize: false })
@Index('jobs_list_idx', { synchronize: false })
@Index('jobs_list_by_status_idx', { synchronize: false })
@Index('jobs_retention_idx', { synchronize: false })
@Index('jobs_reap_idx', { synchronize: false })
@Index('jobs_pending_age_idx', { synchronize: false })
@Index('jobs_recently_completed_idx', { synchronize: false })
@Index('jobs_waiting_by_key_idx', { synchronize: false })
@Index('jobs_last_error_trgm_idx', { synchronize: false })
@Index('jobs_workflow_ref_idx', { synchronize: false })
@Check('jobs_workflow_ref_check', `("workflow_id" IS NULL) = ("workflow_ref" IS NULL)`)
export class JobEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('varchar', { length: 255 })
  namespace: string;

  @Column('varchar', { length: 255 })
  queue: string;

  @Column('varchar', { length: 255 })
  type: string;

  @Column('jsonb')
  payload: unknown;

  @Column('varchar', { length: 16 })
  status: JobStatus;

  @Column('integer', { default: 0 })
  priority: number;

  @Column('timestamptz', { name: 'run_at', default: () => 'now()' })
  runAt: Date;

  @Column('integer', { default: 0 })
  attempts: number;

  @Column('integer', { name: 'max_attempts' })
  maxAttempts: number;

  @Column('jsonb')
  backoff: unknown;

  @Column('varchar', { name: 'idempotency_key', length: 255 })
  idempotencyKey: string;

  @Column('uuid', { name: 'lease_token', nullable: true })
  leaseToken: string | null;

  @Column('timestamptz', { name: 'lease_expires_at', nullable: true })
  leaseExpiresAt: Date | null;

  @Column('varchar', { name: 'worker_id', length: 255, nullable: true })
  workerId: string | null;

  @Column('text', { name: 'last_error', nullable: true })
  lastError: string | null;

  @Column('jsonb', { nullable: true })
  result: unknown;

  @Column('timestamptz', { name: 'claimed_at', nullable: true })
  claimedAt: Date | null;

  @Column('varchar', { length: 55, nullable: true })
  traceparent: string | null;

  @Column('varchar', { name: 'concurrency_key', length: 255, nullable: true })
  concurrencyKey: string | null;

  @Column('varchar', { name: 'callback_url', length: 2048, nullable: true })
  callbackUrl: string | null;

  /** The lease the job was last held under, once it ended (migration LeaseEnds). */
  @Column('uuid', { name: 'last_lease_token', nullable: true })
  lastLeaseToken: string | null;

  /** How that lease ended: completed, failed, expired or released. */
  @Column('varchar', { name: 'last_lease_end', length: 16, nullable: true })
  lastLeaseEnd: string | null;

  /** The workflow the job is a node of (migration Workflows), and its reference there. */
  @Column('uuid', { name: 'workflow_id', nullable: true })
  workflowId: string | null;

  @Column('varchar', { name: 'workflow_ref', length: 128, nullable: true })
  workflowRef: string | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;
}
