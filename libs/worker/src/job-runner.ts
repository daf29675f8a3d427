import type { CommandBus } from '@nestjs/cqrs';
import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { tracer } from '#conveyor/telemetry';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import {
  type ClaimedJobView,
  CompleteJobCommand,
  ExtendLeasesCommand,
  FailJobCommand,
  JobConflictError,
  JobNotFoundError,
} from '#conveyor/jobs';
import type { HandlerRegistry, RegisteredHandler } from './handler-registry.js';
import { errorMessage } from './error-message.js';
import { JobLogger } from './job-logger.js';
import {
  type JobContext,
  JobTimeoutError,
  LeaseLostError,
  PermanentJobError,
  WorkerShutdownError,
} from './job-context.js';

/** One attempt of one job in this process. */
export interface RunningJob {
  readonly job: ClaimedJobView;
  readonly controller: AbortController;
  /** Settles when the attempt is over, whatever its outcome. */
  readonly done: Promise<void>;
}

export interface RunnerDependencies {
  commandBus: CommandBus;
  registry: HandlerRegistry;
  /** Where the handler's transaction comes from (context.transaction()). */
  dataSource: DataSource;
  leaseSeconds: number;
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

  const context: JobContext = {
    jobId: job.id,
    type: job.type,
    queue: job.queue,
    attempt: job.attempts,
    maxAttempts: job.maxAttempts,
    signal: controller.signal,
    logger,
    async heartbeat() {
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
    async transaction(): Promise<EntityManager> {
      if (controller.signal.aborted) throw controller.signal.reason as Error;
      if (transaction === undefined) {
        transaction = deps.dataSource.createQueryRunner();
        await transaction.connect();
        await transaction.startTransaction();
      }
      return transaction.manager;
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
      const work = handler.instance.handle(deps.registry.payloadFor(handler, job.payload), context);
      // A handler that ignores its signal keeps running, but no longer decides anything.
      work.catch(() => undefined);
      const result = await Promise.race([work, untilAborted(controller.signal)]);
      await complete(result);
    } catch (error) {
      trace.getActiveSpan()?.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
      await rollback();
      await settleFailure(error);
    } finally {
      clearTimeout(timer);
      await transaction?.release().catch(() => undefined);
    }
  };

  const complete = async (result: unknown): Promise<void> => {
    // With a transaction, the completion is fenced by the lease inside it and commits it: if the
    // lease is gone, the command refuses (409) and nothing the handler wrote commits.
    const settled = await deps.commandBus.execute(
      new CompleteJobCommand(job.namespace, job.id, job.leaseToken, result ?? null, transaction),
    );
    // This lease had completed the job already, so these writes must not commit a second time.
    if (settled.replayed) await rollback();
  };

  const rollback = async (): Promise<void> => {
    if (transaction?.isTransactionActive === true)
      await transaction.rollbackTransaction().catch(() => undefined);
  };

  const settleFailure = async (error: unknown): Promise<void> => {
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : error;
    if (reason instanceof WorkerShutdownError) return; // released by the worker
    if (
      reason instanceof LeaseLostError ||
      error instanceof JobConflictError ||
      error instanceof JobNotFoundError
    ) {
      logger.warn('lease lost; this attempt does not take effect');
      return;
    }
    const retryable = !(reason instanceof PermanentJobError);
    logger.warn(`attempt failed${retryable ? '' : ' permanently'}: ${errorMessage(reason)}`);
    try {
      await deps.commandBus.execute(
        new FailJobCommand(job.namespace, job.id, job.leaseToken, errorMessage(reason), retryable),
      );
    } catch (failError) {
      // Lease gone meanwhile, or the database is down: the reaper will return the job.
      logger.warn(`could not record the failure: ${errorMessage(failError)}`);
    }
  };

  return { job, controller, done: attemptInSpan() };
}
