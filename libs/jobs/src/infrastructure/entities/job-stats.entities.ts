import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** Appended by the job triggers; folded into JobCountEntity by conveyor_compact_job_stats(). */
@Entity('job_stat_deltas')
export class JobStatDeltaEntity {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column('varchar', { length: 255 })
  namespace: string;

  @Column('varchar', { length: 255 })
  queue: string;

  @Column('varchar', { length: 16 })
  status: string;

  @Column('integer')
  delta: number;

  @Column('integer')
  entered: number;

  @Column('timestamptz')
  minute: Date;
}

@Entity('job_counts')
export class JobCountEntity {
  @PrimaryColumn('varchar', { length: 255 })
  namespace: string;

  @PrimaryColumn('varchar', { length: 255 })
  queue: string;

  @PrimaryColumn('varchar', { length: 16 })
  status: string;

  @Column('bigint')
  count: string;
}

/** How many jobs entered each status per minute: throughput without scanning history. */
@Entity('job_status_minutes')
export class JobStatusMinuteEntity {
  @PrimaryColumn('varchar', { length: 255 })
  namespace: string;

  @PrimaryColumn('varchar', { length: 255 })
  queue: string;

  @PrimaryColumn('varchar', { length: 16 })
  status: string;

  @PrimaryColumn('timestamptz')
  minute: Date;

  @Column('bigint')
  entered: string;
}
