import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Whether a queue (type '') or one type in it is paused, per namespace. */
@Entity('queue_controls')
export class QueueControlEntity {
  @PrimaryColumn('varchar', { length: 255 })
  namespace: string;

  @PrimaryColumn('varchar', { length: 255 })
  queue: string;

  @PrimaryColumn('varchar', { length: 255, default: '' })
  type: string;

  @Column('boolean', { default: false })
  paused: boolean;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;
}
