import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { JobEntity } from './job.entity.js';

/**
 * One edge of a workflow: the child waits for the parent (migration Workflows). `state` is written
 * only by the owner's trigger jobs_follow_dependencies; the runtime role inserts edges and reads them.
 */
@Entity('job_dependencies')
@Check('job_dependencies_on_failure_check', `"on_failure" IN ('cancel', 'continue')`)
@Check('job_dependencies_state_check', `"state" IN ('waiting', 'satisfied', 'failed')`)
@Index('job_dependencies_parent_idx', ['parentId'])
export class JobDependencyEntity {
  @PrimaryColumn('uuid', { name: 'child_id', primaryKeyConstraintName: 'job_dependencies_pkey' })
  childId: string;

  @PrimaryColumn('uuid', { name: 'parent_id', primaryKeyConstraintName: 'job_dependencies_pkey' })
  parentId: string;

  @ManyToOne(() => JobEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'child_id', foreignKeyConstraintName: 'job_dependencies_child_id_fkey' })
  child?: JobEntity;

  @ManyToOne(() => JobEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'parent_id', foreignKeyConstraintName: 'job_dependencies_parent_id_fkey' })
  parent?: JobEntity;

  /** What the child does when the parent is dead-lettered or cancelled. */
  @Column('varchar', { name: 'on_failure', length: 8 })
  onFailure: 'cancel' | 'continue';

  @Column('varchar', { length: 16, default: 'waiting' })
  state: 'waiting' | 'satisfied' | 'failed';
}
