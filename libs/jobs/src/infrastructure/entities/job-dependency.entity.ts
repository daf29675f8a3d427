import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One edge of a workflow: the child waits for the parent (migration Workflows). `state` is written
 * only by the owner's trigger jobs_follow_dependencies; the runtime role inserts edges and reads them.
 * No foreign keys (too slow to check row by row): an edge goes with either of its jobs, by the
 * trigger jobs_delete_dependencies.
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

  /** What the child does when the parent is dead-lettered or cancelled. */
  @Column('varchar', { name: 'on_failure', length: 8 })
  onFailure: 'cancel' | 'continue';

  @Column('varchar', { length: 16, default: 'waiting' })
  state: 'waiting' | 'satisfied' | 'failed';
}
