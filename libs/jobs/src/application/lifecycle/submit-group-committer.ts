import { Inject, Injectable } from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '#conveyor/config';
import { IdempotencyConflictError, JobRefusedError, NamespaceFullError } from '../../domain/job.errors.js';
import type { JobView } from '../job-view.js';
import { JOB_STORE, type JobStore, type KeyedJob, type NewJob } from '../ports/job-store.js';
import { Batcher } from './batcher.js';

export type SubmitOutcome = { readonly created: boolean; readonly job: JobView };

/** What one submit came to: its outcome, or the error to answer it with. */
export type SubmitResult =
  { readonly ok: true; readonly outcome: SubmitOutcome } | { readonly ok: false; readonly error: unknown };

/**
 * Where the results of one caller's submits go, in the caller's order: one promise per call, not
 * per job (a batch of 1,000 would otherwise make 1,000 promises and their closures).
 */
class Results {
  private readonly results: SubmitResult[];
  private remaining: number;
  readonly done: Promise<SubmitResult[]>;
  private resolve!: (results: SubmitResult[]) => void;

  constructor(size: number) {
    this.results = new Array<SubmitResult>(size);
    this.remaining = size;
    this.done = new Promise((resolve) => {
      this.resolve = resolve;
    });
    if (size === 0) this.resolve([]);
  }

  put(index: number, result: SubmitResult): void {
    this.results[index] = result;
    this.remaining -= 1;
    if (this.remaining === 0) this.resolve(this.results);
  }
}

interface Waiter {
  readonly job: NewJob;
  /** keyOf(job), computed once. */
  readonly key: string;
  readonly results: Results;
  readonly index: number;
}

function fail(waiter: Waiter, error: unknown): void {
  waiter.results.put(waiter.index, { ok: false, error });
}

/** One idempotency key in one write: the submit that goes to the database, and its duplicates. */
interface Group {
  readonly leader: Waiter;
  readonly followers: Waiter[];
}

/** What happened to one idempotency key in one write. */
export interface KeyOutcome extends KeyedJob {
  created: boolean;
}

/** A submit whose key vanished between the INSERT and the lookup (its job was deleted) goes again. */
const MAX_KEY_ROUNDS = 3;

/**
 * What one submit comes to, from what happened to its key: created (only the submit that went to
 * the database), a replay of the job that holds the key, or a conflict with a job of other content.
 * Shared by the group commit and by submits in a handler's transaction (JobLifecycle).
 */
export function keyedResult(job: NewJob, outcome: KeyOutcome | undefined, isLeader: boolean): SubmitResult {
  if (outcome === undefined) {
    return {
      ok: false,
      error: new Error(`submit with idempotency key "${job.idempotencyKey}" was not resolved`),
    };
  }
  if (outcome.keyFingerprint !== job.fingerprint) {
    return { ok: false, error: new IdempotencyConflictError(job.idempotencyKey, outcome.job.id) };
  }
  return { ok: true, outcome: { created: outcome.created && isLeader, job: outcome.job } };
}

function settle(waiter: Waiter, outcome: KeyOutcome | undefined, isLeader: boolean): void {
  waiter.results.put(waiter.index, keyedResult(waiter.job, outcome, isLeader));
}

/**
 * The SQLSTATE of an error PostgreSQL raises for the values of a row (class 22 data exceptions, a
 * NOT NULL or CHECK violation), or null for anything else (a lost connection, a bug in a statement).
 */
export function rowRefusal(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  return code.startsWith('22') || code === '23502' || code === '23514' ? code : null;
}

export const keyOf = (job: { namespace: string; idempotencyKey: string }): string =>
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
    @Inject(JOB_STORE) private readonly store: JobStore,
    @Inject(CONVEYOR_CONFIG) config: ConveyorConfig,
  ) {
    this.batcher = new Batcher({
      batchSize: config.jobs.submitBatchSize,
      concurrency: config.jobs.submitConcurrency,
      write: (batch) => this.write(batch),
    });
    this.maxWaiting = config.limits.maxPendingPerNamespace;
  }

  async submit(job: NewJob): Promise<SubmitOutcome> {
    const [result] = await this.submitMany([job]);
    if (result === undefined) throw new Error('a submit went unanswered');
    if (!result.ok) throw result.error;
    return result.outcome;
  }

  /** Every job's result, in order; never rejects. */
  submitMany(jobs: readonly NewJob[]): Promise<SubmitResult[]> {
    const results = new Results(jobs.length);
    jobs.forEach((job, index) => {
      const waiter: Waiter = { job, key: keyOf(job), results, index };
      const inFlight = this.inFlight.get(waiter.key);
      if (inFlight === undefined) this.batcher.add(waiter);
      else inFlight.followers.push(waiter);
    });
    return results.done;
  }

  /** Never rejects: each waiter is settled with its own outcome or error. */
  private async write(batch: readonly Waiter[]): Promise<void> {
    // ON CONFLICT may not touch a row twice in one statement, and a second statement with the same
    // key would only wait for this one's lock: one leader per key goes to the database, and every
    // duplicate in this process, in the batch or arriving while it is written, shares its outcome,
    // as if it had arrived just after it.
    const byKey = new Map<string, Group>();
    for (const waiter of batch) {
      const { key } = waiter;
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
      const refusal = rowRefusal(error);
      if (refusal !== null && groups.length > 1) {
        // One job the database refuses must not fail its neighbours: write each key on its own.
        await Promise.all(groups.map((group) => this.write([group.leader, ...group.followers])));
        return;
      }
      const answer = refusal === null ? error : new JobRefusedError(refusal);
      for (const { leader, followers } of groups)
        for (const waiter of [leader, ...followers]) fail(waiter, answer);
      return;
    }

    done();
    for (const { leader, followers } of groups) {
      const outcome = outcomes.get(leader.key);
      if (outcome === undefined && over.has(leader.key)) {
        const full = new NamespaceFullError(leader.job.namespace, this.maxWaiting);
        for (const waiter of [leader, ...followers]) fail(waiter, full);
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
    const waiting = await this.store.countWaiting([...new Set(leaders.map((job) => job.namespace))]);
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
      for (const existing of await this.store.findByIdempotencyKeys(over)) {
        outcomes.set(keyOf(existing.job), { ...existing, created: false });
      }
    }
    let pending = fit;
    for (let round = 0; round < MAX_KEY_ROUNDS && pending.length > 0; round += 1) {
      const inserted = await this.store.insertJobs(pending);
      const lost: NewJob[] = [];
      for (const leader of pending) {
        const job = inserted.get(leader.id);
        if (job === undefined) lost.push(leader);
        else outcomes.set(keyOf(leader), { job, keyFingerprint: leader.fingerprint, created: true });
      }
      if (lost.length === 0) break;
      for (const existing of await this.store.findByIdempotencyKeys(lost)) {
        outcomes.set(keyOf(existing.job), { ...existing, created: false });
      }
      pending = lost.filter((job) => !outcomes.has(keyOf(job)));
    }
    return outcomes;
  }
}
