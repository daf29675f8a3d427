import type { CommandBus } from '@nestjs/cqrs';
import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { tracer } from '#conveyor/telemetry';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type pg from 'pg';
import {
  type ClaimedJobView,
  CompleteJobCommand,
  ExtendLeasesCommand,
  FailJobCommand,
  JobConflictError,
  JobNotFoundError,
  type JobSubmission,
  type JobView,
  LockJobCommand,
  RecordProgressCommand,
  submitJobsInTransaction,
  submitWorkflowInTransaction,
  type WorkflowSubmission,
  type WorkflowView,
} from '#conveyor/jobs';
import type { HandlerRegistry, RegisteredHandler } from './handler-registry.js';
import { errorMessage } from './error-message.js';
import { JobLogger } from './job-logger.js';
import type { Permits } from './permits.js';
import {
  type IsolationLevel,
  JobCancelledError,
  type JobContext,
  JobTimeoutError,
  LeaseLostError,
  PermanentJobError,
  type TransactionOptions,
  WorkerShutdownError,
} from './job-context.js';

const isJobList = (
  what: JobSubmission | readonly JobSubmission[] | WorkflowSubmission,
): what is readonly JobSubmission[] => Array.isArray(what);

/** One attempt of one job in this process. */
export interface RunningJob {
  readonly job: ClaimedJobView;
  readonly controller: AbortController;
  /** Settles when the attempt is over, whatever its outcome. */
  readonly done: Promise<void>;
  /**
   * Whether the job's transaction holds it (LockJobCommand). Its lease is then left alone (a
   * heartbeat would queue on the row the transaction locked); keepAlive() stands in for it.
   */
  readonly heldByTransaction: () => boolean;
  /**
   * The heartbeat of a job its transaction holds: one trivial statement in that transaction, so a
   * handler that is alive but waiting (on an API, a timer) is never idle long enough for the server
   * to end it, while a frozen or partitioned process is. Never rejects; it may take as long as the
   * handler's statement it queues behind.
   */
  readonly keepAlive: () => Promise<void>;
}

export interface RunnerDependencies {
  commandBus: CommandBus;
  registry: HandlerRegistry;
  /** Where the handler's transaction comes from (context.transaction()). */
  dataSource: DataSource;
  /**
   * How many handler transactions may be open at once: fewer than the pool has connections, so
   * that slow handlers can never take the connections heartbeats, claims and the reaper need.
   */
  transactionPermits: Permits;
  leaseSeconds: number;
}

/** Progress reports of one attempt are written at most this often (the service drops closer ones). */
const PROGRESS_INTERVAL_MS = 300;

/** How many times opening a transaction is tried when a heartbeat got to the row in between. */
const LOCK_TRIES = 3;

/** SQLSTATE 40001: REPEATABLE READ or SERIALIZABLE found the row changed since its snapshot. */
function isSerializationFailure(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '40001';
}

/** Rejects as soon as the signal fires, whether or not the handler honours it. */
function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fire = (): void => {
      reject(signal.reason as Error);
    };
    if (signal.aborted) fire();
    else signal.addEventListener('abort', fire, { once: true });
  });
}

/**
 * Runs one claimed job: handler, then complete (in the job's transaction if the handler opened
 * one) or fail, each through its command (the jobs library's lifecycle, like every other writer).
 * A lost lease or a shutdown is never reported as a failure: in the first case the job belongs to
 * someone else now, in the second the worker hands it back (see WorkerService).
 */
export function runJob(
  handler: RegisteredHandler,
  job: ClaimedJobView,
  deps: RunnerDependencies,
): RunningJob {
  const controller = new AbortController();
  const logger = new JobLogger({ jobId: job.id, jobType: job.type, queue: job.queue, attempt: job.attempts });
  let transaction: QueryRunner | undefined;
  let opening: Promise<QueryRunner> | undefined;
  let openedAt: IsolationLevel | undefined;
  let releasePermit: (() => void) | undefined;
  /** From the moment the transaction starts to take hold of the job until the attempt is over. */
  let held = false;
  /** Whether the handler's own promise has settled: until then it may still use its transaction. */
  let handlerSettled = false;

  /**
   * Begins the job's transaction and takes hold of the job in it, under the live lease. In
   * REPEATABLE READ or SERIALIZABLE a heartbeat that changed the row just before is a serialization
   * failure: the transaction is begun again.
   */
  const open = async (isolationLevel: IsolationLevel): Promise<QueryRunner> => {
    releasePermit = await deps.transactionPermits.acquire(controller.signal);
    const runner = deps.dataSource.createQueryRunner();
    held = true; // the worker's heartbeats leave the job alone from now on
    await runner.connect();
    transaction = runner;
    for (let tries = 1; ; tries += 1) {
      await runner.startTransaction(isolationLevel);
      try {
        // Idle for a whole lease, without even the worker's keep-alive (a frozen or partitioned
        // process), it is ended by the server, which lets go of the job as an expired lease would.
        await runner.query(`SET LOCAL idle_in_transaction_session_timeout = ${deps.leaseSeconds * 1000}`);
        await deps.commandBus.execute(new LockJobCommand(job.namespace, job.id, job.leaseToken, runner));
        return runner;
      } catch (error) {
        await runner.rollbackTransaction().catch(() => undefined);
        if (isSerializationFailure(error) && tries < LOCK_TRIES) continue;
        held = false;
        if (error instanceof JobConflictError || error instanceof JobNotFoundError) {
          const lost = new LeaseLostError(job.id);
          controller.abort(lost);
          throw lost;
        }
        throw error;
      }
    }
  };

  let pendingProgress: { percent: number | null; data: Record<string, unknown> | null } | undefined;
  let progressTimer: NodeJS.Timeout | undefined;
  let lastProgressAt = 0;
  const flushProgress = async (): Promise<void> => {
    progressTimer = undefined;
    const update = pendingProgress;
    if (update === undefined || controller.signal.aborted) return;
    pendingProgress = undefined;
    lastProgressAt = Date.now();
    try {
      await deps.commandBus.execute(
        new RecordProgressCommand(job.namespace, job.id, job.leaseToken, update.percent, update.data),
      );
    } catch (error) {
      logger.warn(`progress not recorded: ${errorMessage(error)}`);
    }
  };

  /** The job's transaction, opened at the level the handler chose, if it chose one. */
  const heldTransaction = async (): Promise<QueryRunner> => {
    await context.transaction(openedAt === undefined ? {} : { isolationLevel: openedAt });
    if (transaction === undefined) throw new Error("the job's transaction did not open");
    return transaction;
  };

  function submit(job: JobSubmission): Promise<JobView>;
  function submit(jobs: readonly JobSubmission[]): Promise<JobView[]>;
  function submit(workflow: WorkflowSubmission): Promise<WorkflowView>;
  async function submit(
    what: JobSubmission | readonly JobSubmission[] | WorkflowSubmission,
  ): Promise<JobView | JobView[] | WorkflowView> {
    const held = await heldTransaction();
    if (isJobList(what)) return submitJobsInTransaction(deps.commandBus, job.namespace, what, held);
    if ('nodes' in what) return submitWorkflowInTransaction(deps.commandBus, job.namespace, what, held);
    const [submitted] = await submitJobsInTransaction(deps.commandBus, job.namespace, [what], held);
    if (submitted === undefined) throw new Error('a submit went unanswered');
    return submitted;
  }

  const context: JobContext = {
    jobId: job.id,
    type: job.type,
    queue: job.queue,
    attempt: job.attempts,
    maxAttempts: job.maxAttempts,
    parents: job.parents,
    submit,
    signal: controller.signal,
    logger,
    async heartbeat() {
      if (held) {
        await keepAlive();
        return;
      }
      const extended = await deps.commandBus.execute(
        new ExtendLeasesCommand(
          job.namespace,
          [{ id: job.id, leaseToken: job.leaseToken }],
          deps.leaseSeconds,
        ),
      );
      if (!extended.has(job.id)) {
        const lost = new LeaseLostError(job.id);
        controller.abort(lost);
        throw lost;
      }
    },
    progress(update) {
      pendingProgress = {
        percent: update.percent ?? pendingProgress?.percent ?? null,
        data: update.data ?? pendingProgress?.data ?? null,
      };
      if (progressTimer !== undefined) return;
      progressTimer = setTimeout(
        () => void flushProgress(),
        Math.max(0, lastProgressAt + PROGRESS_INTERVAL_MS - Date.now()),
      );
    },
    async transaction(options: TransactionOptions = {}): Promise<EntityManager> {
      if (controller.signal.aborted) throw controller.signal.reason as Error;
      const isolationLevel = options.isolationLevel ?? 'READ COMMITTED';
      openedAt ??= isolationLevel;
      if (openedAt !== isolationLevel) {
        throw new Error(`the job's transaction is ${openedAt}; it cannot also be ${isolationLevel}`);
      }
      opening ??= open(isolationLevel);
      return (await opening).manager;
    },
  };

  const attemptInSpan = (): Promise<void> => {
    // The submitter's trace continues here: same trace id, parent = the submit, across processes.
    const parent = propagation.extract(
      ROOT_CONTEXT,
      job.traceparent === null ? {} : { traceparent: job.traceparent },
    );
    const attributes = {
      'conveyor.job.id': job.id,
      'conveyor.job.type': job.type,
      'conveyor.job.queue': job.queue,
      'conveyor.job.attempt': job.attempts,
    };
    return tracer.startActiveSpan(
      `job ${job.type}`,
      { kind: SpanKind.CONSUMER, attributes },
      parent,
      async (span) => {
        try {
          await attempt();
          if (controller.signal.aborted)
            span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(controller.signal.reason) });
        } finally {
          span.end();
        }
      },
    );
  };

  const attempt = async (): Promise<void> => {
    const timer = setTimeout(() => {
      controller.abort(new JobTimeoutError(handler.timeoutMs));
    }, handler.timeoutMs);
    try {
      // Marked settled before its outcome reaches the race below: a failure can then tell a
      // handler that has stopped from one that is still writing.
      const work = (async () => {
        try {
          return await handler.instance.handle(deps.registry.payloadFor(handler, job.payload), context);
        } finally {
          handlerSettled = true;
        }
      })();
      // A handler that ignores its signal keeps running, but no longer decides anything.
      work.catch(() => undefined);
      const result = await Promise.race([work, untilAborted(controller.signal)]);
      await complete(result);
    } catch (error) {
      trace.getActiveSpan()?.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
      await settleFailure(error);
    } finally {
      clearTimeout(timer);
      clearTimeout(progressTimer);
      // A transaction still being opened is released once it is (or has failed to be).
      await opening?.catch(() => undefined);
      await transaction?.release().catch(() => undefined);
      releasePermit?.();
    }
  };

  const complete = async (result: unknown): Promise<void> => {
    // With a transaction, the completion runs in it, on the job it holds, and commits it.
    const settled = await deps.commandBus.execute(
      new CompleteJobCommand(job.namespace, job.id, job.leaseToken, result ?? null, completingTransaction()),
    );
    // This lease had completed the job already, so these writes must not commit a second time.
    if (settled.replayed) await abandonTransaction();
  };

  /** The job's transaction if it was opened, holds the job and is still going. */
  const openTransaction = (): QueryRunner | undefined =>
    held && transaction?.isTransactionActive === true && !transaction.isReleased ? transaction : undefined;

  /**
   * The transaction the completion must run in: none if the handler never asked for one. One that
   * was asked for but is gone (its connection was terminated, it never took hold of the job) fails
   * the attempt: completing outside it would mark the job done without the handler's writes.
   */
  const completingTransaction = (): QueryRunner | undefined => {
    if (opening === undefined) return undefined;
    const holding = openTransaction();
    if (holding === undefined) throw new Error("the job's transaction ended before the job could complete");
    return holding;
  };

  let keepingAlive: Promise<void> | undefined;
  /** Never rejects; one at a time (it waits behind the handler's statement, which may be long). */
  const keepAlive = (): Promise<void> => {
    const transaction = openTransaction();
    if (transaction === undefined) return Promise.resolve();
    keepingAlive ??= transaction
      .query('SELECT 1')
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        keepingAlive = undefined;
      });
    return keepingAlive;
  };

  /**
   * Ends the transaction without committing it. A handler still running (one that ignored its
   * abort signal) may still send statements on it: after a ROLLBACK they would run on their own
   * and commit, so its connection is closed instead (the server rolls back, any later statement
   * fails, and the pool drops the closed connection). A handler that has returned gets a plain
   * rollback.
   */
  const abandonTransaction = async (): Promise<void> => {
    if (transaction === undefined || transaction.isReleased) return;
    if (!handlerSettled) {
      const connection = (await transaction.connect()) as pg.PoolClient;
      await connection.end().catch(() => undefined);
      return;
    }
    if (transaction.isTransactionActive) await transaction.rollbackTransaction().catch(() => undefined);
  };

  const settleFailure = async (error: unknown): Promise<void> => {
    // A transaction still being opened may be about to lock the job: know first whether it did.
    await opening?.catch(() => undefined);
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : error;
    if (reason instanceof WorkerShutdownError) {
      await abandonTransaction();
      return; // released by the worker
    }
    if (
      reason instanceof LeaseLostError ||
      error instanceof JobConflictError ||
      error instanceof JobNotFoundError
    ) {
      await abandonTransaction();
      logger.warn('lease lost; this attempt does not take effect');
      return;
    }
    if (reason instanceof JobCancelledError) {
      await abandonTransaction();
      logger.log('cancelled while running; this attempt does not take effect');
      return;
    }
    const retryable = !(reason instanceof PermanentJobError);
    logger.warn(`attempt failed${retryable ? '' : ' permanently'}: ${errorMessage(reason)}`);
    const failure = (inTransaction?: QueryRunner) =>
      deps.commandBus.execute(
        new FailJobCommand(
          job.namespace,
          job.id,
          job.leaseToken,
          errorMessage(reason),
          retryable,
          inTransaction,
        ),
      );
    // In the transaction that holds the job, undoing the handler's writes: that works even once
    // the lease has run out. Not while the handler may still be writing in it (a zombie), and not
    // in SERIALIZABLE: the reads of the undone writes would still count once it commits, and fail
    // the transactions they overlap (under contention, every retry would fail others in turn).
    const holding = handlerSettled && openedAt !== 'SERIALIZABLE' ? openTransaction() : undefined;
    if (holding !== undefined) {
      try {
        await failure(holding);
        return;
      } catch (inTransactionError) {
        logger.warn(
          `could not record the failure in the job's transaction: ${errorMessage(inTransactionError)}`,
        );
      }
    }
    await abandonTransaction();
    try {
      await failure();
    } catch (failError) {
      // Lease gone meanwhile, or the database is down: the reaper will return the job.
      logger.warn(`could not record the failure: ${errorMessage(failError)}`);
    }
  };

  return {
    job,
    controller,
    done: attemptInSpan(),
    heldByTransaction: () => held,
    keepAlive,
  };
}
