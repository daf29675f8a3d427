import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Someone waits for this job to change status (a long poll); gone when the wait ends. */
@Entity('job_waits')
@Index('job_waits_expiry_idx', ['expiresAt'])
export class JobWaitEntity {
  @PrimaryColumn('uuid', { name: 'job_id' })
  jobId: string;

  @PrimaryColumn('uuid')
  waiter: string;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt: Date;
}
