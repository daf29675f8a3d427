import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ClaimedJob, ConveyorClient, ParentOutcome } from './client.js';
import { ConveyorProblem } from './problem.js';
import { pause } from './retry.js';

const tracer = trace.getTracer('@conveyor/client');

/** What a handler gets besides its payload. */
export interface JobContext {
  /** The job as claimed (id, attempts, traceparent, ...). */
  readonly job: ClaimedJob;
  /**
   * A workflow node's dependencies, by their ref: each one's id, how it ended (completed, or
   * dead_letter / cancelled under `continue`) and its result. Empty for a job in no workflow.
   */
  readonly parents: Readonly<Record<string, ParentOutcome>>;
  /**
   * Aborted when the job is no longer this attempt's: cancelled, its lease lost, its time up, or
   * the worker stopping. Pass it to what the handler awaits; its result no longer counts.
   */
  readonly signal: AbortSignal;
  /** Reports progress (0–100 and/or a small object); false when the service throttled it. */
  progress(report: { percent?: number; data?: Record<string, unknown> }): Promise<boolean>;
}

/** A handler: resolves with the job's result (any JSON value), or throws to fail the attempt. */
export type JobHandler<Payload = never, Result = unknown> = (
  payload: Payload,
  context: JobContext,
) => Promise<Result> | Result;

/** Thrown by a handler: the job goes to the dead-letter queue at once, without further attempts. */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

export interface WorkerOptions {
  /** The handlers, by job type: the worker claims only these types. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler names its own payload type
  handlers: Record<string, JobHandler<any>>;
  /** The queue to claim from; `default` when not set. */
  queue?: string;
  /** Jobs run at once (default 10). */
  concurrency?: number;
  /** Each claim's lease; heartbeats renew it every third of it (default 30 s). */
  leaseSeconds?: number;
  /** An attempt running longer is aborted and failed (retried); none by default. */
  timeoutMs?: number;
  /** The wait before claiming again when nothing was due (default 1,000 ms). */
  pollIntervalMs?: number;
  /** Completions and failures are sent together, at most this long after the first (default 20 ms). */
  ackDelayMs?: number;
  /** Recorded on every job it claims (default: `rest-worker-` and a random suffix). */
  workerId?: string;
  /** What went wrong outside any handler (a claim or an acknowledgement the service refused). */
  onError?: (error: unknown) => void;
}

/** An acknowledgement waiting for the next batch. */
type Settlement =
  | { kind: 'complete'; id: string; leaseToken: string; result: unknown }
  | { kind: 'fail'; id: string; leaseToken: string; error: string; retryable: boolean };

/**
 * A worker over REST with the semantics of an in-process handler (docs/handlers.md): a claim
 * loop up to `concurrency` jobs at once, heartbeats that keep each lease, a signal that aborts on
 * cancel and lease loss, completions and failures sent in batches, the job's trace continued,
 * and a graceful stop that hands unfinished jobs back.
 */
export class RestWorker {
  readonly workerId: string;
  private readonly options: Required<Omit<WorkerOptions, 'timeoutMs' | 'queue' | 'workerId' | 'onError'>> &
    Pick<WorkerOptions, 'timeoutMs' | 'queue'>;
  private readonly running = new Map<
    string,
    { job: ClaimedJob; controller: AbortController; done: Promise<void> }
  >();
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  private slotFreed: (() => void) | undefined;
  private pending: Settlement[] = [];
  private flushing: Promise<void> | undefined;
  private readonly onError: (error: unknown) => void;

  constructor(
    private readonly client: ConveyorClient,
    options: WorkerOptions,
  ) {
    this.workerId = options.workerId ?? `rest-worker-${Math.random().toString(36).slice(2, 10)}`;
    this.onError =
      options.onError ??
      ((error) => {
        console.error('[conveyor worker]', error);
      });
    this.options = {
      handlers: options.handlers,
      queue: options.queue,
      concurrency: options.concurrency ?? 10,
      leaseSeconds: options.leaseSeconds ?? 30,
      timeoutMs: options.timeoutMs,
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      ackDelayMs: options.ackDelayMs ?? 20,
    };
    if (Object.keys(options.handlers).length === 0) throw new Error('a worker needs at least one handler');
  }

  /** Starts claiming. */
  start(): this {
    this.loop ??= this.claimLoop();
    return this;
  }

  /** Jobs running now. */
  get active(): number {
    return this.running.size;
  }

  /**
   * Stops claiming, lets running jobs finish for up to `graceMs`, then aborts the rest and hands
   * them back (pending again at once, the attempt not counted); resolves once every outcome is
   * sent.
   */
  async stop({ graceMs = 10_000 }: { graceMs?: number } = {}): Promise<void> {
    this.stopping.abort(new Error('the worker is stopping'));
    this.slotFreed?.();
    await this.loop;
    const finished = Promise.all([...this.running.values()].map((run) => run.done));
    await Promise.race([finished, pause(graceMs).catch(() => undefined)]);
    const unfinished = [...this.running.values()];
    for (const run of unfinished)
      run.controller.abort(new Error('the worker stopped before the job finished'));
    await finished;
    if (unfinished.length > 0) {
      await this.client
        .release(unfinished.map(({ job }) => ({ id: job.id, leaseToken: job.leaseToken })))
        .catch(this.onError);
    }
    await this.flush();
  }

  private async claimLoop(): Promise<void> {
    const types = Object.keys(this.options.handlers);
    while (!this.stopping.signal.aborted) {
      const free = this.options.concurrency - this.running.size;
      if (free === 0) {
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
        continue;
      }
      let jobs: ClaimedJob[] = [];
      try {
        jobs = await this.client.claim({
          ...(this.options.queue === undefined ? {} : { queue: this.options.queue }),
          types,
          limit: Math.min(free, 100),
          leaseSeconds: this.options.leaseSeconds,
          workerId: this.workerId,
        });
      } catch (error) {
        this.onError(error);
      }
      for (const job of jobs) this.run(job);
      if (jobs.length === 0)
        await pause(this.options.pollIntervalMs, this.stopping.signal).catch(() => undefined);
    }
  }

  private run(job: ClaimedJob): void {
    const controller = new AbortController();
    const done = this.attemptInSpan(job, controller).finally(() => {
      this.running.delete(job.id);
      this.slotFreed?.();
    });
    this.running.set(job.id, { job, controller, done });
  }

  /** The submitter's trace continues here, as in-process: same trace id, parent = the submit. */
  private attemptInSpan(job: ClaimedJob, controller: AbortController): Promise<void> {
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
          const outcome = await this.attempt(job, controller);
          if (outcome !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
        } finally {
          span.end();
        }
      },
    );
  }

  /** Runs the handler and queues its outcome; answers the error, if any, for the span. */
  private async attempt(job: ClaimedJob, controller: AbortController): Promise<string | undefined> {
    const handler = this.options.handlers[job.type];
    const { signal } = controller;
    const heartbeats = setInterval(
      () => {
        this.client.heartbeat(job.id, job.leaseToken, this.options.leaseSeconds).catch((error: unknown) => {
          // The job is no longer ours (cancelled, lease expired, reaped): stop, and settle nothing.
          if (error instanceof ConveyorProblem && (error.status === 409 || error.status === 404)) {
            controller.abort(error);
          }
        });
      },
      (this.options.leaseSeconds * 1000) / 3,
    );
    const timer =
      this.options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            controller.abort(new Error(`timed out after ${this.options.timeoutMs} ms`));
          }, this.options.timeoutMs);
    const context: JobContext = {
      job,
      parents: job.parents,
      signal,
      progress: (report) => this.client.progress(job.id, job.leaseToken, report),
    };
    try {
      if (handler === undefined) throw new PermanentJobError(`no handler for type ${job.type}`);
      const work = Promise.resolve().then(() => handler(job.payload as never, context));
      // A handler that ignores its signal keeps running, but no longer decides anything.
      work.catch(() => undefined);
      const result = await Promise.race([work, aborted(signal)]);
      this.settle({ kind: 'complete', id: job.id, leaseToken: job.leaseToken, result: result ?? null });
      return undefined;
    } catch (error) {
      const lost =
        signal.aborted && (signal.reason instanceof ConveyorProblem || this.stopping.signal.aborted);
      // A lost lease settles nothing (it is not ours), and a stop hands the job back instead.
      if (!lost) {
        this.settle({
          kind: 'fail',
          id: job.id,
          leaseToken: job.leaseToken,
          error: errorText(error),
          retryable: !(error instanceof PermanentJobError),
        });
      }
      return errorText(error);
    } finally {
      clearInterval(heartbeats);
      clearTimeout(timer);
    }
  }

  /** Queues an outcome; the batch goes `ackDelayMs` after its first, or at once when full. */
  private settle(settlement: Settlement): void {
    this.pending.push(settlement);
    if (this.pending.length >= 100) void this.flush();
    else if (this.pending.length === 1) setTimeout(() => void this.flush(), this.options.ackDelayMs);
  }

  private async flush(): Promise<void> {
    await this.flushing;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.send(batch);
    await this.flushing;
  }

  private async send(batch: Settlement[]): Promise<void> {
    const complete = batch.flatMap((item) =>
      item.kind === 'complete' ? [{ id: item.id, leaseToken: item.leaseToken, result: item.result }] : [],
    );
    const fail = batch.flatMap((item) =>
      item.kind === 'fail'
        ? [{ id: item.id, leaseToken: item.leaseToken, error: item.error, retryable: item.retryable }]
        : [],
    );
    try {
      for (const outcome of await this.client.ack({ complete, fail })) {
        if (outcome.outcome === 'refused' && outcome.problem !== undefined) {
          this.onError(new ConveyorProblem(outcome.problem));
        }
      }
    } catch (error) {
      // Retried by the client already; the leases run out and the jobs run again (at least once).
      this.onError(error);
    }
  }
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    signal.addEventListener(
      'abort',
      () => {
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return text.slice(0, 10_000) || 'failed';
}
