import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Append-only history: one row per status change (and per re-claim), written by the triggers on
 * `jobs` in the same statement as the change, so no path, not even raw SQL, can skip it.
 */
@Entity('job_events')
@Index('job_events_job_idx', ['jobId', 'id'])
export class JobEventEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column('uuid', { name: 'job_id' })
  jobId: string;

  @Column('varchar', { name: 'from_status', length: 16, nullable: true })
  fromStatus: string | null;

  @Column('varchar', { name: 'to_status', length: 16 })
  toStatus: string;

  @Column('integer')
  attempt: number;

  @Column('varchar', { name: 'worker_id', length: 255, nullable: true })
  workerId: string | null;

  @Column('text', { nullable: true })
  error: string | null;

  @Column('timestamptz', { name: 'occurred_at', default: () => 'now()' })
  occurredAt: Date;
}
