import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '#conveyor/config';
import { DatabaseOutage, Sql } from '#conveyor/database';
import type { JobWaits } from '../application/ports/job-waits.js';
import { TooManyWaitersError } from '../domain/job.errors.js';
import { END_WAITS, REGISTER_WAIT } from './sql/waits.sql.js';

const CHANGED_CHANNEL = 'conveyor_job_changed';
/**
 * Waits that end within this long of each other are cleared from job_waits by one statement: a
 * completion of many awaited jobs wakes their waiters together, and a DELETE (and a commit) each
 * would hold their answers up behind one another.
 */
const END_BATCH_MS = 10;

/**
 * Long polls on PostgreSQL: one LISTEN connection per instance (opened with the first wait, not from
 * the pool) hears `conveyor_job_changed` for the jobs waited for here (migration JobWaits), and
 * wakes their waiters; no waiter ever polls. Without LISTEN (CONVEYOR_LISTEN=false, PgBouncer) a
 * wait is answered at once.
 */
@Injectable()
export class PostgresJobWaits implements JobWaits, OnApplicationShutdown {
  private readonly logger = new Logger('Waits');
  private readonly wakers = new Map<string, Set<() => void>>();
  private waiting = 0;
  private listener: Promise<pg.Client | undefined> | undefined;
  /** Waits over but still in job_waits, and the statement that will clear them. */
  private ended: { jobId: string; waiter: string }[] = [];
  private clearing: Promise<void> | undefined;

  constructor(
    private readonly sql: Sql,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
    private readonly outage: DatabaseOutage,
  ) {}

  async waitFor(id: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
    if (!this.config.worker.listen || timeoutMs <= 0) return;
    if (this.waiting >= this.config.jobs.maxWaiters)
      throw new TooManyWaitersError(this.config.jobs.maxWaiters);
    this.waiting += 1; // counted at once: waits arriving together must not all pass the check
    const waiter = randomUUID();
    let wake: () => void = () => undefined;
    const wakers = this.wakers.get(id) ?? new Set();
    this.wakers.set(id, wakers);
    try {
      if ((await this.listen()) === undefined) return;
      await this.sql.rows(REGISTER_WAIT, [id, waiter, Math.ceil(timeoutMs / 1000) + 5]);
      const deadline = Date.now() + timeoutMs;
      // Registered first, read second: a change that commits in between is seen by this read.
      while (!(await check())) {
        const left = deadline - Date.now();
        if (left <= 0) return;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
          wakers.add(wake);
        });
        wakers.delete(wake);
      }
    } finally {
      this.waiting -= 1;
      wakers.delete(wake);
      if (wakers.size === 0) this.wakers.delete(id);
      this.endWait(id, waiter);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.clearing;
    const client = await this.listener;
    await client?.end().catch(() => undefined);
  }

  /**
   * Clears the wait from job_waits soon, with the others that end meanwhile. Not awaited by the
   * waiter: until it is cleared, a change of the job only sends a NOTIFY nobody hears.
   */
  private endWait(jobId: string, waiter: string): void {
    this.ended.push({ jobId, waiter });
    this.clearing ??= this.clearEnded();
  }

  private async clearEnded(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, END_BATCH_MS));
    // Waits that end while a DELETE runs are taken by the next round.
    while (this.ended.length > 0) {
      const ended = this.ended;
      this.ended = [];
      await this.sql
        .rows(END_WAITS, [ended.map((wait) => wait.jobId), ended.map((wait) => wait.waiter)])
        .catch((error: unknown) => {
          // Left behind, they expire (REGISTER_WAIT clears expired waits).
          this.outage.backgroundFailed(error, () => {
            this.logger.warn(`clearing ${ended.length} ended wait(s) failed: ${(error as Error).message}`);
          });
        });
    }
    this.clearing = undefined;
  }

  /** The LISTEN connection, opened once; undefined when it cannot be had (the wait is answered at once). */
  private listen(): Promise<pg.Client | undefined> {
    this.listener ??= (async () => {
      const client = new pg.Client(this.sql.pool.options);
      client.on('notification', (message) => {
        for (const wake of this.wakers.get(message.payload ?? '') ?? []) wake();
      });
      client.on('error', (error) => {
        this.outage.backgroundFailed(error, () => {
          this.logger.warn(`LISTEN connection lost: ${error.message}`);
        });
        this.listener = undefined; // the next wait opens a new one
        // Waiters of the lost connection are woken to read again; they wait on the new one.
        for (const wakers of this.wakers.values()) for (const wake of wakers) wake();
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${CHANGED_CHANNEL}`);
        return client;
      } catch (error) {
        this.outage.backgroundFailed(error, () => {
          this.logger.warn(`LISTEN failed: ${(error as Error).message}`);
        });
        this.listener = undefined;
        await client.end().catch(() => undefined);
        return undefined;
      }
    })();
    return this.listener;
  }
}
