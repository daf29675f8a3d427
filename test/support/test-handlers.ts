import { setTimeout as delay } from 'node:timers/promises';
import { Module } from '@nestjs/common';
import { IsBoolean, IsIn, IsInt, IsOptional, Min } from 'class-validator';
import {
  type IsolationLevel,
  type JobContext,
  JobHandler,
  type JobHandlerInstance,
  PermanentJobError,
} from '#conveyor/worker';
import type { TestDatabase } from './database.js';

/**
 * The table the test handlers write their side effects to, through the job's transaction. Like a
 * team's own table, it is the service's runtime role that writes it: granted here (docs/handlers.md).
 */
export async function createEffectsTable(db: TestDatabase): Promise<void> {
  await db.client.query(`
    CREATE TABLE IF NOT EXISTS test_effects (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      job_id uuid NOT NULL,
      attempt integer NOT NULL,
      worker_pid integer NOT NULL
    )`);
  await db.client.query(`GRANT SELECT, INSERT ON test_effects TO ${db.runtimeRole}`);
}

export class EffectPayload {
  /** Wait this long (honouring the abort signal) after writing the effect, before returning. */
  @IsOptional()
  @IsInt()
  @Min(0)
  holdMs?: number;

  @IsOptional()
  @IsIn(['retryable', 'permanent'])
  fail?: 'retryable' | 'permanent';

  /**
   * On the first attempt, block the whole process this long after writing the effect, as a long GC
   * pause or SIGSTOP would.
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  stallMs?: number;

  @IsOptional()
  @IsIn(['READ COMMITTED', 'REPEATABLE READ', 'SERIALIZABLE'])
  isolationLevel?: IsolationLevel;

  /** Ignore the abort signal (a badly behaved handler). */
  @IsOptional()
  @IsBoolean()
  stubborn?: boolean;

  @IsOptional()
  @IsInt()
  n?: number;
}

/** Writes one row per attempt through the job's transaction; the row survives only a completed attempt. */
@JobHandler('test.effect', { payload: EffectPayload, concurrency: 20, maxAttempts: 3 })
export class EffectHandler implements JobHandlerInstance<EffectPayload> {
  async handle(payload: EffectPayload, context: JobContext): Promise<{ pid: number }> {
    const manager = await context.transaction(
      payload.isolationLevel === undefined ? {} : { isolationLevel: payload.isolationLevel },
    );
    await manager.query('INSERT INTO test_effects (job_id, attempt, worker_pid) VALUES ($1, $2, $3)', [
      context.jobId,
      context.attempt,
      process.pid,
    ]);
    if (payload.stallMs !== undefined && context.attempt === 1) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, payload.stallMs);
    }
    if (payload.holdMs !== undefined) {
      await delay(payload.holdMs, undefined, payload.stubborn === true ? {} : { signal: context.signal });
    }
    if (payload.fail === 'permanent') throw new PermanentJobError('refused for good');
    if (payload.fail === 'retryable') throw new Error('flaky');
    return { pid: process.pid };
  }
}

@JobHandler('test.timeout', { timeoutMs: 200, maxAttempts: 3 })
export class TimeoutHandler implements JobHandlerInstance {
  async handle(_payload: object, context: JobContext): Promise<void> {
    await delay(10_000, undefined, { signal: context.signal });
  }
}

/** Reports 10, 50 and 90 percent in quick succession, then works a while. */
@JobHandler('test.progress')
export class ProgressHandler implements JobHandlerInstance {
  async handle(_payload: object, context: JobContext): Promise<void> {
    for (const percent of [10, 50, 90]) context.progress({ percent, data: { step: percent / 10 } });
    await delay(800, undefined, { signal: context.signal });
  }
}

@Module({ providers: [EffectHandler, TimeoutHandler, ProgressHandler] })
export class TestHandlersModule {}

@JobHandler('test.cron', { cron: { expression: '* * * * * *' } })
export class EverySecondHandler implements JobHandlerInstance {
  handle(): Promise<void> {
    return Promise.resolve();
  }
}

@Module({ providers: [EverySecondHandler] })
export class CronHandlersModule {}

@JobHandler('test.effect')
export class SecondEffectHandler implements JobHandlerInstance {
  handle(): Promise<void> {
    return Promise.resolve();
  }
}

/** Registers a second handler for `test.effect`: the boot must refuse it. */
@Module({ providers: [SecondEffectHandler] })
export class DuplicateHandlersModule {}

export class InvoicePayload {
  @IsInt()
  invoice: number;
}

/** `test.effect` of the `billing` namespace: its own payload rules, its own result. */
@JobHandler('test.effect', { namespace: 'billing', payload: InvoicePayload, maxAttempts: 2 })
export class BillingEffectHandler implements JobHandlerInstance<InvoicePayload> {
  handle(payload: InvoicePayload): Promise<{ billed: number }> {
    return Promise.resolve({ billed: payload.invoice });
  }
}

@Module({ providers: [BillingEffectHandler] })
export class BillingHandlersModule {}
