import { setTimeout as delay } from 'node:timers/promises';
import { Module } from '@nestjs/common';
import { IsBoolean, IsInt, IsOptional, Min } from 'class-validator';
import type { EntityManager } from 'typeorm';
import { type JobContext, JobHandler, type JobHandlerInstance } from '#conveyor/worker';
import type { TestDatabase } from '../../support/database.js';

/**
 * The handlers the chaos scenarios run, in real instances. Each writes its side effect through the
 * job's transaction (context.transaction()), so the invariant "one effect per completion" is
 * exactly the promise the worker makes.
 */

export const CHAOS_QUEUE = 'chaos';
/** Jobs for the REST workers: no instance has a handler for their type. */
export const REST_QUEUE = 'chaos-rest';
/** Accounts the contended handler moves money between; each completion adds 1 to each it touches. */
export const ACCOUNTS = 8;

/** Tables of the scenarios, written by the service's runtime role like a team's own tables. */
export async function createChaosTables(db: TestDatabase): Promise<void> {
  await db.client.query(`
    CREATE TABLE chaos_effects (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      job_id uuid NOT NULL,
      attempt integer NOT NULL,
      pid integer NOT NULL
    );
    CREATE TABLE chaos_rest_effects (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      job_id uuid NOT NULL,
      lease_token uuid NOT NULL,
      pid integer NOT NULL
    );
    CREATE TABLE chaos_accounts (id integer PRIMARY KEY, balance bigint NOT NULL);
    INSERT INTO chaos_accounts SELECT n, 0 FROM generate_series(1, ${ACCOUNTS}) AS n;
    GRANT SELECT, INSERT ON chaos_effects TO ${db.runtimeRole};
    GRANT SELECT, INSERT ON chaos_rest_effects TO ${db.runtimeRole};
    GRANT SELECT, UPDATE ON chaos_accounts TO ${db.runtimeRole}`);
}

async function writeEffect(db: EntityManager, context: JobContext): Promise<void> {
  await db.query('INSERT INTO chaos_effects (job_id, attempt, pid) VALUES ($1, $2, $3)', [
    context.jobId,
    context.attempt,
    process.pid,
  ]);
}

export class HoldPayload {
  /** How long the attempt takes after writing its effect (honouring the abort signal). */
  @IsOptional()
  @IsInt()
  @Min(0)
  holdMs?: number;

  /** A key of the client's own, so that equal payloads stay distinct jobs. */
  @IsOptional()
  @IsInt()
  n?: number;
}

/** The ordinary job: an effect, then some work. Killed instances leave it half done. */
@JobHandler('chaos.effect', {
  queue: CHAOS_QUEUE,
  payload: HoldPayload,
  concurrency: 8,
  maxAttempts: 25,
  backoff: { type: 'fixed', delayMs: 50, maxDelayMs: 50 },
})
export class EffectHandler implements JobHandlerInstance<HoldPayload> {
  async handle(payload: HoldPayload, context: JobContext): Promise<{ pid: number }> {
    await writeEffect(await context.transaction(), context);
    await delay(payload.holdMs ?? 0, undefined, { signal: context.signal });
    return { pid: process.pid };
  }
}

/**
 * Holds its transaction (a connection) for the whole attempt: more of them at once than the pool
 * has connections.
 */
@JobHandler('chaos.slow-transaction', {
  queue: CHAOS_QUEUE,
  payload: HoldPayload,
  concurrency: 16,
  maxAttempts: 5,
})
export class SlowTransactionHandler implements JobHandlerInstance<HoldPayload> {
  async handle(payload: HoldPayload, context: JobContext): Promise<void> {
    const db = await context.transaction();
    await db.query('SELECT pg_sleep($1::float8 / 1000)', [payload.holdMs ?? 0]);
    await writeEffect(db, context);
  }
}

/**
 * A zombie: ignores its abort signal and writes its effect whenever it gets round to it, which is
 * sometimes after its timeout, when the attempt has failed and another may be running the job.
 */
@JobHandler('chaos.zombie', {
  queue: CHAOS_QUEUE,
  payload: HoldPayload,
  concurrency: 8,
  timeoutMs: 250,
  maxAttempts: 40,
  backoff: { type: 'fixed', delayMs: 0, maxDelayMs: 0 },
})
export class ZombieHandler implements JobHandlerInstance<HoldPayload> {
  async handle(_payload: HoldPayload, context: JobContext): Promise<void> {
    const db = await context.transaction();
    // Around the timeout, on either side of it: no signal passed, on purpose.
    await delay(150 + Math.floor(Math.random() * 200));
    await writeEffect(db, context);
  }
}

export class TransferPayload {
  @IsInt()
  @Min(1)
  from: number;

  @IsInt()
  @Min(1)
  to: number;

  /** SERIALIZABLE read-modify-write (serialization failures) instead of two row locks (deadlocks). */
  @IsBoolean()
  serializable: boolean;

  @IsOptional()
  @IsInt()
  n?: number;
}

/**
 * Adds 1 to two accounts in the job's transaction. Concurrent transfers fail with deadlocks (row
 * locks taken in opposite orders) or serialization failures; the attempts that fail roll back.
 */
@JobHandler('chaos.transfer', {
  queue: CHAOS_QUEUE,
  payload: TransferPayload,
  concurrency: 8,
  maxAttempts: 60,
  backoff: { type: 'exponential', delayMs: 10, maxDelayMs: 200 },
})
export class TransferHandler implements JobHandlerInstance<TransferPayload> {
  async handle(payload: TransferPayload, context: JobContext): Promise<void> {
    const db = await context.transaction(payload.serializable ? { isolationLevel: 'SERIALIZABLE' } : {});
    if (payload.serializable) {
      for (const id of [payload.from, payload.to]) {
        const [row] = await db.query<{ balance: string }[]>(
          'SELECT balance FROM chaos_accounts WHERE id = $1',
          [id],
        );
        await delay(5);
        await db.query('UPDATE chaos_accounts SET balance = $2 WHERE id = $1', [
          id,
          Number(row?.balance) + 1,
        ]);
      }
    } else {
      await db.query('UPDATE chaos_accounts SET balance = balance + 1 WHERE id = $1', [payload.from]);
      await delay(20);
      await db.query('UPDATE chaos_accounts SET balance = balance + 1 WHERE id = $1', [payload.to]);
    }
    await writeEffect(db, context);
  }
}

/** A job that takes its process down on every attempt, like a native crash or an OOM kill. */
@JobHandler('chaos.poison', { queue: CHAOS_QUEUE, maxAttempts: 3 })
export class PoisonHandler implements JobHandlerInstance {
  handle(): Promise<void> {
    process.exit(70);
  }
}

@Module({
  providers: [EffectHandler, SlowTransactionHandler, ZombieHandler, TransferHandler, PoisonHandler],
})
export class ChaosHandlersModule {}
