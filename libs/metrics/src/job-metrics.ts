import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '#conveyor/config';
import { Sql } from '#conveyor/database';
import { GetQueueGaugesQuery } from '#conveyor/jobs';
import { QueryBus } from '@nestjs/cqrs';

/** Everything beyond this many distinct (queue, type) pairs is counted under type "_other". */
const OTHER = '_other';

/**
 * Conveyor's Prometheus metrics. Labels are queue and type names only, never ids or payloads, and
 * their number is capped (CONVEYOR_METRICS_MAX_SERIES): a client inventing types cannot blow up the
 * time-series database. Gauges that read the database are computed at scrape time.
 */
@Injectable()
export class JobMetrics {
  readonly registry = new Registry();
  private readonly seen = new Set<string>();
  private readonly maxSeries: number;

  readonly submitted: Counter<'queue' | 'type'>;
  readonly deduplicated: Counter<'queue' | 'type'>;
  readonly completed: Counter<'queue' | 'type'>;
  readonly failed: Counter<'queue' | 'type'>;
  readonly deadLettered: Counter<'queue' | 'type'>;
  readonly leaseExpired: Counter<'queue' | 'type'>;
  readonly waitSeconds: Histogram<'queue' | 'type'>;
  readonly runSeconds: Histogram<'queue' | 'type'>;

  constructor(sql: Sql, queryBus: QueryBus, @Inject(CONVEYOR_CONFIG) config: ConveyorConfig) {
    // The two database gauges come from one query per scrape, shared by their collect() calls.
    let gauges: ReturnType<typeof readGauges> | undefined;
    const readGauges = () => queryBus.execute(new GetQueueGaugesQuery());
    const shared = () => (gauges ??= readGauges().finally(() => setImmediate(() => (gauges = undefined))));
    this.maxSeries = config.metrics.maxSeries;
    const registers = [this.registry];
    const labelNames = ['queue', 'type'] as const;
    const counter = (name: string, help: string) => new Counter({ name, help, labelNames, registers });
    this.submitted = counter('conveyor_jobs_submitted_total', 'Jobs created by a submit.');
    this.deduplicated = counter(
      'conveyor_jobs_deduplicated_total',
      'Submits answered with an existing job (idempotency key taken).',
    );
    this.completed = counter('conveyor_jobs_completed_total', 'Attempts that completed their job.');
    this.failed = counter('conveyor_jobs_failed_total', 'Attempts that failed with a retry scheduled.');
    this.deadLettered = counter('conveyor_jobs_dead_lettered_total', 'Jobs moved to the dead-letter queue.');
    this.leaseExpired = counter(
      'conveyor_lease_expired_total',
      'Attempts whose lease ran out (worker died or stalled).',
    );
    const buckets = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800, 3600];
    this.waitSeconds = new Histogram({
      name: 'conveyor_job_wait_seconds',
      help: 'From when a job was due (runAt) to its claim.',
      labelNames,
      buckets,
      registers,
    });
    this.runSeconds = new Histogram({
      name: 'conveyor_job_run_seconds',
      help: 'From claim to completion or failure of an attempt.',
      labelNames,
      buckets,
      registers,
    });

    new Gauge({
      name: 'conveyor_queue_depth',
      help: 'Jobs per queue and status (waiting, pending, processing, failed, dead_letter).',
      labelNames: ['queue', 'status'] as const,
      registers,
      async collect() {
        this.reset();
        for (const row of (await shared()).depth)
          this.set({ queue: row.queue, status: row.status }, row.count);
      },
    });
    new Gauge({
      name: 'conveyor_queue_oldest_pending_seconds',
      help: 'How long the oldest due pending job of each queue has waited.',
      labelNames: ['queue'] as const,
      registers,
      async collect() {
        this.reset();
        for (const row of (await shared()).oldestPending) this.set({ queue: row.queue }, row.seconds);
      },
    });
    new Gauge({
      name: 'conveyor_db_pool_connections',
      help: 'Connections of the database pool, by state.',
      labelNames: ['state'] as const,
      registers,
      collect() {
        this.set({ state: 'in_use' }, sql.pool.totalCount - sql.pool.idleCount);
        this.set({ state: 'idle' }, sql.pool.idleCount);
      },
    });
    new Gauge({
      name: 'conveyor_db_pool_waiting',
      help: 'Requests waiting for a database connection (sustained > 0: the pool is too small).',
      registers,
      collect() {
        this.set(sql.pool.waitingCount);
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'conveyor_process_' });
  }

  /** Label values for a (queue, type) pair, folded into `_other` once the cap is reached. */
  labels(queue: string, type: string): { queue: string; type: string } {
    const key = `${queue}\u0000${type}`;
    if (this.seen.has(key)) return { queue, type };
    if (this.seen.size < this.maxSeries) {
      this.seen.add(key);
      return { queue, type };
    }
    return { queue: OTHER, type: OTHER };
  }
}
