import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '#conveyor/config';
import { DatabaseOutage, Sql } from '#conveyor/database';
import {
  ClaimJobCommand,
  ExtendLeasesCommand,
  ReleaseJobsCommand,
  SetQueueLimitsCommand,
} from '#conveyor/jobs';
import { HandlerRegistry, type RegisteredHandler } from './handler-registry.js';
import { JobCancelledError, LeaseLostError, WorkerShutdownError } from './job-context.js';
import { type RunningJob, runJob } from './job-runner.js';
import { errorMessage } from './error-message.js';
import { Permits } from './permits.js';
import { delay, repeat, settlesWithin, Wakeable } from './timing.js';
import { WakeupListener } from './wakeup-listener.js';

/** Most jobs one claim statement hands out (the claim endpoint's limit too). */
const MAX_CLAIM = 100;

/**
 * When a slot frees while every slot was busy, the loop waits this long before it claims, so that
 * jobs finishing together are replaced by one claim instead of one each. Short enough that a
 * backlog keeps every slot busy; new work for free slots is claimed without it.
 */
const COALESCE_MS = 5;

/**
 * After a claim that took announced work but fewer jobs than there were free slots, the loop looks
 * again this soon: a concurrency or rate limit may have left some of that work behind.
 */
const RECHECK_MS = 250;

/**
 * Connections of the pool that handler transactions never take: however many slow handlers hold
 * theirs, heartbeats, claims, failures and the reaper still get a connection at once.
 */
const RESERVED_CONNECTIONS = 2;

function byNamespace(jobs: readonly RunningJob[]): Map<string, RunningJob[]> {
  const groups = new Map<string, RunningJob[]>();
  for (const running of jobs) {
    const group = groups.get(running.job.namespace) ?? [];
    group.push(running);
    groups.set(running.job.namespace, group);
  }
  return groups;
}

/**
 * The in-process worker: one claim loop per handler (namespace and type), a batched heartbeat for every running
 * job, LISTEN/NOTIFY wake-ups with polling as the fallback, and an orderly drain on shutdown.
 * Runs when CONVEYOR_ROLE is `all` or `worker`.
 */
@Injectable()
export class WorkerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly workerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly logger = new Logger('Worker');
  private readonly running = new Map<string, RunningJob>();
  /** Keyed by handler key (namespace/type). */
  private readonly inFlight = new Map<string, number>();
  /** Handlers whose claim loop waits for running jobs to finish (not for new work). */
  private readonly starved = new Set<string>();
  /** Jobs of each handler finished so far: a claim loop sees whether one finished during its claim. */
  private readonly finished = new Map<string, number>();
  /** Handlers told of new work (NOTIFY) since their last claim. */
  private readonly announced = new Set<string>();
  private readonly wakers = new Map<string, Wakeable>();
  private readonly loops: Promise<void>[] = [];
  private stopping = false;
  /** When each claim loop last went round (a claim, or a wait that ended): readiness watches them. */
  private readonly lastLoopAt = new Map<string, number>();
  private stopHeartbeats: (() => Promise<void>) | undefined;
  private listener: WakeupListener | undefined;
  private readonly transactionPermits: Permits;

  constructor(
    private readonly registry: HandlerRegistry,
    private readonly commandBus: CommandBus,
    private readonly dataSource: DataSource,
    private readonly sql: Sql,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
    private readonly outage: DatabaseOutage,
  ) {
    this.transactionPermits = new Permits(Math.max(1, config.dbPoolSize - RESERVED_CONNECTIONS));
  }

  get leaseSeconds(): number {
    return this.config.jobs.defaultLeaseSeconds;
  }

  /** Whether this process runs claim loops, and how long ago the stalest of them went round. */
  loopStatus(): { running: boolean; sinceLastLoopMs: number } {
    const stalest = Math.min(...this.lastLoopAt.values());
    return { running: this.loops.length > 0 && !this.stopping, sinceLastLoopMs: Date.now() - stalest };
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.worker.role === 'api') return;
    const handlers = this.registry.all();
    if (handlers.length === 0) return;
    for (const { namespace, queue, type, options } of handlers) {
      const { globalConcurrency, rateLimit } = options;
      if (globalConcurrency === undefined && rateLimit === undefined) continue;
      await this.commandBus.execute(
        new SetQueueLimitsCommand(namespace, queue, type, {
          concurrency: globalConcurrency ?? null,
          perKey: null,
          rate:
            rateLimit === undefined
              ? null
              : { limit: rateLimit.limit, periodSeconds: rateLimit.periodSeconds ?? 1 },
        }),
      );
    }
    for (const handler of handlers) {
      const waker = new Wakeable();
      this.wakers.set(handler.key, waker);
      this.loops.push(this.claimLoop(handler, waker));
    }
    // Renew every third of the lease: two renewals can fail before a lease runs out.
    this.stopHeartbeats = repeat(
      (this.leaseSeconds * 1000) / 3,
      () => this.renewLeases(),
      (error) => {
        this.outage.backgroundFailed(error, () => {
          this.logger.warn(`heartbeat failed: ${errorMessage(error)}`);
        });
      },
    );
    if (this.config.worker.listen) {
      this.listener = new WakeupListener(
        this.sql.pool.options,
        (queue, type) => {
          this.wake(queue, type);
        },
        (jobId) => {
          this.running.get(jobId)?.controller.abort(new JobCancelledError(jobId));
        },
        (error, log) => {
          this.outage.backgroundFailed(error, log);
        },
      );
      this.listener.start();
    }
    this.logger.log(`worker ${this.workerId} running ${handlers.length} handler(s)`);
  }

  /** Stop claiming, let running jobs finish within the grace period, hand the rest back. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.loops.length === 0) return;
    this.stopping = true;
    for (const waker of this.wakers.values()) waker.wake();
    await Promise.all(this.loops);
    await this.listener?.stop();

    await settlesWithin(
      Promise.all([...this.running.values()].map((job) => job.done)),
      this.config.worker.shutdownGraceMs,
    );
    const unfinished = [...this.running.values()];
    if (unfinished.length > 0) {
      for (const job of unfinished) job.controller.abort(new WorkerShutdownError());
      await Promise.all(unfinished.map((job) => job.done));
      let released = 0;
      for (const [namespace, jobs] of byNamespace(unfinished)) {
        released += await this.commandBus
          .execute(
            new ReleaseJobsCommand(
              namespace,
              jobs.map(({ job }) => ({ id: job.id, leaseToken: job.leaseToken })),
            ),
          )
          .catch((error: unknown) => {
            this.logger.error(`could not release jobs; their leases will expire: ${errorMessage(error)}`);
            return 0;
          });
      }
      this.logger.warn(
        `grace period over: released ${released} unfinished job(s) without counting the attempt`,
      );
    }
    await this.stopHeartbeats?.();
  }

  /** New work in `queue` (of `type`, or of any type): the matching claim loops look now. */
  private wake(queue: string, type: string | undefined): void {
    for (const handler of this.registry.all()) {
      if (handler.queue === queue && (type === undefined || handler.type === type)) {
        this.announced.add(handler.key);
        this.wakers.get(handler.key)?.wake();
      }
    }
  }

  private async claimLoop(handler: RegisteredHandler, waker: Wakeable): Promise<void> {
    let retryMs = 0;
    while (!this.stopping) {
      this.lastLoopAt.set(handler.key, Date.now());
      if (this.freeSlots(handler) <= 0) {
        this.starved.add(handler.key);
        await waker.wait(this.config.worker.pollIntervalMs);
        this.starved.delete(handler.key);
        // A slot has freed while every slot was busy (a backlog): claim for it at once, after a
        // pause short enough to keep the slots busy, so that jobs finishing together share a claim.
        if ((this.inFlight.get(handler.key) ?? 0) > 0) await delay(COALESCE_MS);
        continue;
      }
      const free = this.freeSlots(handler);
      const expectingWork = this.announced.delete(handler.key);
      const finishedBefore = this.finished.get(handler.key) ?? 0;
      try {
        const jobs = await this.commandBus.execute(
          new ClaimJobCommand({
            namespace: handler.namespace,
            queue: handler.queue,
            types: [handler.type],
            limit: free,
            leaseSeconds: this.leaseSeconds,
            workerId: this.workerId,
          }),
        );
        retryMs = 0;
        for (const job of jobs) this.start(handler, job);
        // A full batch suggests more are due: claim again at once.
        if (jobs.length === free) continue;
        // Fewer than asked for: the end of the backlog, or a limit of the queue (or another
        // instance was quicker). A limit frees when a job finishes: announced work of which none
        // could be taken, or a backlog that yielded only part of the free slots unannounced, makes
        // the loop look again when one of its own jobs finishes. Announced work that was taken is
        // looked at again soon (RECHECK_MS), in case a limit left some of it behind.
        const limitBound = expectingWork ? jobs.length === 0 : jobs.length > 0;
        // A job of its own that finished while the claim ran freed its slot of the limit after the
        // statement counted it, and woke nothing (the loop was not waiting yet): look again now
        // instead of waiting for a finish that has already happened.
        if (limitBound && (this.finished.get(handler.key) ?? 0) !== finishedBefore) continue;
        if (limitBound) {
          this.starved.add(handler.key);
          await waker.wait(this.config.worker.pollIntervalMs);
          this.starved.delete(handler.key);
          continue;
        }
        if (expectingWork) {
          await waker.wait(Math.min(RECHECK_MS, this.config.worker.pollIntervalMs));
          continue;
        }
      } catch (error) {
        // Database down or restarting: back off and resume by ourselves; nothing was claimed.
        retryMs = Math.min(Math.max(retryMs * 2, 250), 10_000);
        this.outage.backgroundFailed(error, () => {
          this.logger.warn(
            `claim failed for ${handler.key}, retrying in ${retryMs} ms: ${errorMessage(error)}`,
          );
        });
        await waker.wait(retryMs);
        continue;
      }
      await waker.wait(this.config.worker.pollIntervalMs);
    }
  }

  private freeSlots(handler: RegisteredHandler): number {
    return Math.min(handler.concurrency - (this.inFlight.get(handler.key) ?? 0), MAX_CLAIM);
  }

  private start(handler: RegisteredHandler, job: Parameters<typeof runJob>[1]): void {
    const running = runJob(handler, job, {
      commandBus: this.commandBus,
      registry: this.registry,
      dataSource: this.dataSource,
      transactionPermits: this.transactionPermits,
      leaseSeconds: this.leaseSeconds,
    });
    this.running.set(job.id, running);
    this.inFlight.set(handler.key, (this.inFlight.get(handler.key) ?? 0) + 1);
    void running.done.finally(() => {
      this.running.delete(job.id);
      this.inFlight.set(handler.key, (this.inFlight.get(handler.key) ?? 1) - 1);
      this.finished.set(handler.key, (this.finished.get(handler.key) ?? 0) + 1);
      // Only a loop waiting for a free slot needs to hear of it; an idle one waits for new work.
      if (this.starved.has(handler.key)) this.wakers.get(handler.key)?.wake();
    });
  }

  /**
   * One statement per namespace renews every lease this process holds; a lease it cannot renew is
   * lost. A job its transaction holds needs no lease: its transaction is kept alive instead.
   */
  private async renewLeases(): Promise<void> {
    const live = [...this.running.values()].filter((job) => !job.controller.signal.aborted);
    const held = live.filter((job) => job.heldByTransaction());
    const leased = live.filter((job) => !job.heldByTransaction());
    // Not awaited: a keep-alive waits behind its handler's statement, the renewals must not.
    for (const job of held) void job.keepAlive();
    for (const [namespace, jobs] of byNamespace(leased)) {
      const renewed = await this.commandBus.execute(
        new ExtendLeasesCommand(
          namespace,
          jobs.map(({ job }) => ({ id: job.id, leaseToken: job.leaseToken })),
          this.leaseSeconds,
        ),
      );
      for (const { job, controller } of jobs) {
        if (!renewed.has(job.id)) controller.abort(new LeaseLostError(job.id));
      }
    }
  }
}
