import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One row per live idempotency key. The primary key is the dedupe rule; `expires_at` ends the
 * window, after which the next submit with the key takes the row over (see sql/submit.sql.ts).
 * Deleting a job deletes the key it holds (trigger jobs_release_keys, migration KeysReleasedByTrigger).
 */
@Entity('job_idempotency_keys')
@Index('job_idempotency_keys_expiry_idx', ['expiresAt'])
export class IdempotencyKeyEntity {
  @PrimaryColumn('varchar', { length: 255 })
  namespace: string;

  @PrimaryColumn('varchar', { name: 'idempotency_key', length: 255 })
  idempotencyKey: string;

  @Column('uuid', { name: 'job_id' })
  jobId: string;

  @Column('char', { length: 64 })
  fingerprint: string;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt: Date;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;
}
