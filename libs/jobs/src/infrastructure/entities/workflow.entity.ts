import { Column, Entity, Index, PrimaryColumn, Unique } from 'typeorm';

/**
 * One row per submitted workflow (migration Workflows; docs/workflows.md). Its nodes are jobs
 * (jobs.workflow_id); the key is held for as long as the workflow exists.
 */
@Entity('workflows')
@Unique('workflows_idempotency_key_unique', ['namespace', 'idempotencyKey'])
@Index('workflows_list_idx', { synchronize: false })
export class WorkflowEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('varchar', { length: 255 })
  namespace: string;

  @Column('varchar', { length: 255, nullable: true })
  name: string | null;

  @Column('varchar', { name: 'idempotency_key', length: 255, nullable: true })
  idempotencyKey: string | null;

  @Column('varchar', { length: 64 })
  fingerprint: string;

  @Column('integer', { name: 'node_count' })
  nodeCount: number;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;
}
