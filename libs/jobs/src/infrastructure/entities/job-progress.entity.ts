import { Check, Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { JobEntity } from './job.entity.js';

/** The last progress a job's lease holder reported. */
@Entity('job_progress')
@Check('job_progress_percent_check', `"percent" BETWEEN 0 AND 100`)
export class JobProgressEntity {
  @PrimaryColumn('uuid', { name: 'job_id' })
  jobId: string;

  @OneToOne(() => JobEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'job_id', foreignKeyConstraintName: 'job_progress_job_id_fkey' })
  job?: JobEntity;

  @Column('real', { nullable: true })
  percent: number | null;

  @Column('jsonb', { nullable: true })
  data: unknown;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;
}
