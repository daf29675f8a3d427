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
import type { EntityManager } from 'typeorm';
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

/** One row for this attempt, written through the job's transaction (opened if it is not yet). */
async function recordEffect(context: JobContext, transaction?: EntityManager): Promise<void> {
  const manager = transaction ?? (await context.transaction());
  await manager.query('INSERT INTO test_effects (job_id, attempt, worker_pid) VALUES ($1, $2, $3)', [
    context.jobId,
    context.attempt,
    process.pid,
  ]);
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
    await recordEffect(context, manager);
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

export class NodePayload {
  /** Wait this long (honouring the abort signal) after writing the effect. */
  @IsOptional()
  @IsInt()
  @Min(0)
  holdMs?: number;

  @IsOptional()
  @IsBoolean()
  failForGood?: boolean;

  @IsOptional()
  @IsInt()
  n?: number;
}

/**
 * A workflow node: writes one effect row per attempt through its transaction, and completes with
 * `sum`, 1 + the sums its parents completed with (a chain of n nodes ends with n), and their refs.
 */
@JobHandler('test.node', { payload: NodePayload, concurrency: 20, maxAttempts: 3 })
export class NodeHandler implements JobHandlerInstance<NodePayload> {
  async handle(payload: NodePayload, context: JobContext): Promise<{ sum: number; parents: string[] }> {
    await recordEffect(context);
    if (payload.holdMs !== undefined) await delay(payload.holdMs, undefined, { signal: context.signal });
    if (payload.failForGood === true) throw new PermanentJobError('node failed for good');
    const parents = Object.entries(context.parents);
    const sum = parents.reduce(
      (total, [, parent]) => total + ((parent.result as { sum?: number } | null)?.sum ?? 0),
      1,
    );
    return { sum, parents: parents.map(([ref]) => ref).sort() };
  }
}

export class SpawnPayload {
  /** What it submits in its transaction: `count` jobs, or a workflow of `count` nodes (n0 first, the rest after it). */
  @IsIn(['jobs', 'workflow'])
  shape: 'jobs' | 'workflow';

  @IsInt()
  @Min(1)
  count: number;

  /** Wait this long (honouring the abort signal) after submitting, before returning. */
  @IsOptional()
  @IsInt()
  @Min(0)
  holdMs?: number;

  /** Fail the first attempt after submitting: what it submitted must be undone with it. */
  @IsOptional()
  @IsBoolean()
  failFirstAttempt?: boolean;

  /** Submit a workflow whose second node depends on a node that is not there. */
  @IsOptional()
  @IsBoolean()
  invalid?: boolean;
}

/** Submits `test.node` jobs, or a workflow of them, from inside its own transaction (context.submit). */
@JobHandler('test.spawn', { payload: SpawnPayload, concurrency: 5, maxAttempts: 3 })
export class SpawnHandler implements JobHandlerInstance<SpawnPayload> {
  async handle(payload: SpawnPayload, context: JobContext): Promise<{ children: string[] }> {
    await recordEffect(context);
    const nodes = Array.from({ length: payload.count }, (_, n) => ({ type: 'test.node', payload: { n } }));
    const children =
      payload.shape === 'jobs'
        ? (
            await context.submit(
              nodes.map((node, n) => ({ ...node, idempotencyKey: `${context.jobId}/${n}` })),
            )
          ).map((job) => job.id)
        : (
            await context.submit({
              idempotencyKey: `spawned-by-${context.jobId}`,
              nodes: nodes.map((node, n) => ({
                ...node,
                ref: `n${n}`,
                dependsOn: n === 0 ? [] : [payload.invalid === true ? 'missing' : 'n0'],
              })),
            })
          ).nodes.map((node) => node.jobId);
    if (payload.holdMs !== undefined) await delay(payload.holdMs, undefined, { signal: context.signal });
    if (payload.failFirstAttempt === true && context.attempt === 1)
      throw new Error('failed after submitting');
    return { children };
  }
}

@Module({ providers: [EffectHandler, TimeoutHandler, ProgressHandler, NodeHandler, SpawnHandler] })
export class TestHandlersModule {}

/** Starts a two-node workflow every second, once per slot across the cluster (cron + context.submit). */
@JobHandler('test.nightly', { cron: { expression: '* * * * * *' } })
export class NightlyWorkflowHandler implements JobHandlerInstance {
  async handle(_payload: object, context: JobContext): Promise<{ workflowId: string }> {
    const workflow = await context.submit({
      name: 'nightly',
      nodes: [
        { ref: 'extract', type: 'test.node', payload: {} },
        { ref: 'load', type: 'test.node', payload: {}, dependsOn: ['extract'] },
      ],
    });
    return { workflowId: workflow.id };
  }
}

@Module({ providers: [NightlyWorkflowHandler] })
export class WorkflowCronModule {}

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
