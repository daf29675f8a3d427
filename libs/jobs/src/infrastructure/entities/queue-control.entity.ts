import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/** Whether a queue (type '') or one type in it is paused, and its limits, per namespace. */
@Entity('queue_controls')
@Check('queue_controls_concurrency_limit_check', `"concurrency_limit" > 0`)
@Check(
  'queue_controls_rate_limit_check',
  `("rate_limit" IS NULL) = ("rate_period_seconds" IS NULL) AND "rate_limit" > 0 AND "rate_period_seconds" > 0`,
)
@Check(
  'queue_controls_key_concurrency_limit_check',
  `"key_concurrency_limit" IS NULL OR ("key_concurrency_limit" > 0 AND "type" = '')`,
)
export class QueueControlEntity {
  @PrimaryColumn('varchar', { length: 255 })
  namespace: string;

  @PrimaryColumn('varchar', { length: 255 })
  queue: string;

  @PrimaryColumn('varchar', { length: 255, default: '' })
  type: string;

  @Column('boolean', { default: false })
  paused: boolean;

  /** Most jobs of the queue (type '') or of the type running at once, across the cluster. */
  @Column('integer', { name: 'concurrency_limit', nullable: true })
  concurrencyLimit: number | null;

  /** Most jobs of the queue with one concurrency key running at once (queue rows only). */
  @Column('integer', { name: 'key_concurrency_limit', nullable: true })
  keyConcurrencyLimit: number | null;

  /** Most jobs started per rate_period_seconds, across the cluster. */
  @Column('integer', { name: 'rate_limit', nullable: true })
  rateLimit: number | null;

  @Column('integer', { name: 'rate_period_seconds', nullable: true })
  ratePeriodSeconds: number | null;

  /** The rate limit's bucket: tokens left when it was last drawn from, and when. */
  @Column('double precision', { name: 'rate_tokens', nullable: true })
  rateTokens: number | null;

  @Column('timestamptz', { name: 'rate_refilled_at', nullable: true })
  rateRefilledAt: Date | null;

  /** Where the claim's last walk over the waiting concurrency keys stopped (claim.sql.ts). */
  @Column('varchar', { name: 'key_cursor', length: 255, nullable: true })
  keyCursor: string | null;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;
}
