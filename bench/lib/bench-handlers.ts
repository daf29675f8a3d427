import { setTimeout as delay } from 'node:timers/promises';
import { Module } from '@nestjs/common';
import { type JobContext, JobHandler, type JobHandlerInstance } from '#conveyor/worker';

// Handlers of the bench instance (instance.ts), each in a queue of its own so that no other
// handler's claims share its queue.

/** Attempts that hold until their signal aborts. */
export const HOLD_JOB = { type: 'bench.hold', queue: 'hold', concurrency: 50 } as const;
/** Attempts that take 10 ms. */
export const PACED_JOB = { type: 'bench.paced', queue: 'paced', concurrency: 20 } as const;

/** The moment, in ms since the epoch to a microsecond, comparable across processes on one machine. */
export const epochMs = (): number => performance.timeOrigin + performance.now();

/**
 * Holds its attempt for a minute, or until the attempt's signal aborts, and says on stdout when
 * each attempt starts and when its signal aborted: `started <job id>`, `aborted <job id> <epoch ms>`.
 * The cancel workload reads those lines to time a cancel from the client's request to the abort.
 */
@JobHandler(HOLD_JOB.type, { queue: HOLD_JOB.queue, concurrency: HOLD_JOB.concurrency })
export class HoldHandler implements JobHandlerInstance {
  async handle(_payload: object, context: JobContext): Promise<void> {
    context.signal.addEventListener(
      'abort',
      () => {
        process.stdout.write(`aborted ${context.jobId} ${epochMs()}\n`);
      },
      { once: true },
    );
    process.stdout.write(`started ${context.jobId}\n`);
    await delay(60_000, undefined, { signal: context.signal });
  }
}

@JobHandler(PACED_JOB.type, { queue: PACED_JOB.queue, concurrency: PACED_JOB.concurrency })
export class PacedHandler implements JobHandlerInstance {
  async handle(): Promise<void> {
    await delay(10);
  }
}

@Module({ providers: [HoldHandler, PacedHandler] })
export class BenchHandlersModule {}
