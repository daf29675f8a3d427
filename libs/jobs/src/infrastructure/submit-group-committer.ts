import { Inject, Injectable } from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '#conveyor/config';
import type { JobView } from '../application/job-view.js';
import { IdempotencyConflictError, NamespaceFullError } from '../domain/job.errors.js';
import { Batcher } from './batcher.js';
import { JobRepository, type KeyedJob, type NewJob } from './job.repository.js';

export type SubmitOutcome = { readonly created: boolean; readonly job: JobView };

interface Waiter {
  readonly job: NewJob;
  resolve(outcome: SubmitOutcome): void;
  reject(error: unknown): void;
}

/** One idempotency key in one write: the submit that goes to the database, and its duplicates. */
interface Group {
  readonly leader: Waiter;
  readonly followers: Waiter[];
}

/** What happened to one idempotency key in one write. */
interface KeyOutcome extends KeyedJob {
  created: boolean;
}

/** A submit whose key vanished between the INSERT and the lookup (its job was deleted) goes again. */
const MAX_KEY_ROUNDS = 3;

function settle(waiter: Waiter, outcome: KeyOutcome | undefined, isLeader: boolean): void {
  if (outcome === undefined) {
    waiter.reject(new Error(`submit with idempotency key "${waiter.job.idempotencyKey}" was not resolved`));
  } else if (outcome.keyFingerprint !== waiter.job.fingerprint) {
    waiter.reject(new IdempotencyConflictError(waiter.job.idempotencyKey, outcome.job.id));
  } else {
    waiter.resolve({ created: outcome.created && isLeader, job: outcome.job });
  }
}

const keyOf = (job: { namespace: string; idempotencyKey: string }): string =>
  `${job.namespace}\u0000${job.idempotencyKey}`;

/**
 * Group commit for submits (see Batcher): concurrent submits share one INSERT, up to
 * `submitBatchSize` per statement and `submitConcurrency` statements in flight, so fifty concurrent
 * HTTP requests cost a handful of commits instead of fifty.
 *
 * Every caller still gets its own answer: created, replayed, or an idempotency conflict.
 */
@Injectable()
export class SubmitGroupCommitter {
  private readonly batcher: Batcher<Waiter>;
  /** Keys being written right now, with the submits waiting for their outcome. */
  private readonly inFlight = new Map<string, Group>();
  private readonly maxWaiting: number;

  constructor(
    private readonly repository: JobRepository,
    @Inject(CONVEYOR_CONFIG) config: ConveyorConfig,
  ) {
    this.batcher = new Batcher({
      batchSize: config.jobs.submitBatchSize,
      concurrency: config.jobs.submitConcurrency,
      write: (batch) => this.write(batch),
    });
    this.maxWaiting = config.limits.maxPendingPerNamespace;
  }

  submit(job: NewJob): Promise<SubmitOutcome> {
    return new Promise((resolve, reject) => {
      const waiter = { job, resolve, reject };
      const inFlight = this.inFlight.get(keyOf(job));
      if (inFlight === undefined) this.batcher.add(waiter);
      else inFlight.followers.push(waiter);
    });
  }

  /** Never rejects: each waiter is settled with its own outcome or error. */
  private async write(batch: readonly Waiter[]): Promise<void> {
    // ON CONFLICT may not touch a row twice in one statement, and a second statement with the same
    // key would only wait for this one's lock: one leader per key goes to the database, and every
    // duplicate in this process, in the batch or arriving while it is written, shares its outcome,
    // as if it had arrived just after it.
    const byKey = new Map<string, Group>();
    for (const waiter of batch) {
      const key = keyOf(waiter.job);
      const group = byKey.get(key) ?? this.inFlight.get(key);
      if (group !== undefined) {
        group.followers.push(waiter);
        continue;
      }
      const created: Group = { leader: waiter, followers: [] };
      byKey.set(key, created);
      this.inFlight.set(key, created);
    }
    const groups = [...byKey.values()];
    const done = (): void => {
      for (const key of byKey.keys()) this.inFlight.delete(key);
    };

    let outcomes: Map<string, KeyOutcome>;
    let over: ReadonlySet<string>;
    try {
      const capped = await this.withinCap(groups.map((group) => group.leader.job));
      over = new Set(capped.over.map(keyOf));
      outcomes = await this.writeLeaders(capped);
    } catch (error) {
      done();
      if (groups.length === 1) {
        for (const { leader, followers } of groups)
          for (const waiter of [leader, ...followers]) waiter.reject(error);
        return;
      }
      // One bad submit must not fail its neighbours: write each key on its own.
      await Promise.all(groups.map((group) => this.write([group.leader, ...group.followers])));
      return;
    }

    done();
    for (const { leader, followers } of groups) {
      const outcome = outcomes.get(keyOf(leader.job));
      if (outcome === undefined && over.has(keyOf(leader.job))) {
        const full = new NamespaceFullError(leader.job.namespace, this.maxWaiting);
        for (const waiter of [leader, ...followers]) waiter.reject(full);
        continue;
      }
      settle(leader, outcome, true);
      for (const follower of followers) settle(follower, outcome, false);
    }
  }

  /**
   * With CONVEYOR_MAX_PENDING_PER_NAMESPACE set, the leaders that still fit their namespace; the
   * others are left out and answered 429 (a replay of an existing key is answered as usual, by
   * writeLeaders' lookup). Checked per batch, so concurrent batches on several instances can
   * overshoot the cap by at most one batch each: it protects capacity, it is not a quota.
   */
  private async withinCap(
    leaders: readonly NewJob[],
  ): Promise<{ fit: readonly NewJob[]; over: readonly NewJob[] }> {
    if (this.maxWaiting === 0) return { fit: leaders, over: [] };
    const waiting = await this.repository.countWaiting([...new Set(leaders.map((job) => job.namespace))]);
    const fit: NewJob[] = [];
    const over: NewJob[] = [];
    for (const job of leaders) {
      const count = waiting.get(job.namespace) ?? 0;
      if (count < this.maxWaiting) {
        fit.push(job);
        waiting.set(job.namespace, count + 1);
      } else {
        over.push(job);
      }
    }
    return { fit, over };
  }

  private async writeLeaders({
    fit,
    over,
  }: {
    fit: readonly NewJob[];
    over: readonly NewJob[];
  }): Promise<Map<string, KeyOutcome>> {
    const outcomes = new Map<string, KeyOutcome>();
    if (over.length > 0) {
      for (const existing of await this.repository.findByIdempotencyKeys(over)) {
        outcomes.set(keyOf(existing.job), { ...existing, created: false });
      }
    }
    let pending = fit;
    for (let round = 0; round < MAX_KEY_ROUNDS && pending.length > 0; round += 1) {
      const byId = new Map(pending.map((job) => [job.id, job]));
      for (const job of await this.repository.insertJobs(pending)) {
        const leader = byId.get(job.id);
        if (leader !== undefined) {
          byId.delete(job.id);
          outcomes.set(keyOf(leader), { job, keyFingerprint: leader.fingerprint, created: true });
        }
      }
      const lost = [...byId.values()];
      if (lost.length === 0) break;
      for (const existing of await this.repository.findByIdempotencyKeys(lost)) {
        outcomes.set(keyOf(existing.job), { ...existing, created: false });
      }
      pending = lost.filter((job) => !outcomes.has(keyOf(job)));
    }
    return outcomes;
  }
}
