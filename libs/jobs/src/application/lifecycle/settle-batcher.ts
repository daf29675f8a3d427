import { Inject, Injectable } from '@nestjs/common';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '#conveyor/config';
import type { JobView } from '../job-view.js';
import { type Completion, type Failure, JOB_STORE, type JobStore } from '../ports/job-store.js';
import { Batcher } from './batcher.js';

type Settlement =
  | { kind: 'complete'; namespace: string; attempt: Completion }
  | { kind: 'fail'; namespace: string; attempt: Failure };

interface Waiter {
  readonly settlement: Settlement;
  /** The job as settled, or undefined when the lease guard refused it. */
  resolve(job: JobView | undefined): void;
  reject(error: unknown): void;
}

/**
 * Group commit for completions and failures that do not ride on a handler's own transaction:
 * concurrent ones share one fenced UPDATE per namespace and kind (see sql/settle.sql.ts). Each
 * caller learns whether its own attempt was settled, exactly as with a statement of its own.
 */
@Injectable()
export class SettleBatcher {
  private readonly batcher: Batcher<Waiter>;

  constructor(
    @Inject(JOB_STORE) private readonly store: JobStore,
    @Inject(CONVEYOR_CONFIG) config: ConveyorConfig,
  ) {
    this.batcher = new Batcher({
      batchSize: config.jobs.submitBatchSize,
      concurrency: config.jobs.submitConcurrency,
      write: (batch) => this.write(batch),
    });
  }

  complete(namespace: string, attempt: Completion): Promise<JobView | undefined> {
    return this.settle({ kind: 'complete', namespace, attempt });
  }

  fail(namespace: string, attempt: Failure): Promise<JobView | undefined> {
    return this.settle({ kind: 'fail', namespace, attempt });
  }

  private settle(settlement: Settlement): Promise<JobView | undefined> {
    return new Promise((resolve, reject) => {
      this.batcher.add({ settlement, resolve, reject });
    });
  }

  /** Never rejects: each waiter is settled with its own outcome or error. */
  private async write(batch: readonly Waiter[]): Promise<void> {
    const completions = new Map<string, Pending<Completion>[]>();
    const failures = new Map<string, Pending<Failure>[]>();
    const seen = new Set<string>();
    for (const waiter of batch) {
      const { settlement } = waiter;
      // One statement must not settle a job twice (UPDATE ... FROM would pick one row and report
      // both callers as winners): a second settlement of the same job waits for the next batch,
      // where the guard refuses it like any late one.
      if (seen.has(settlement.attempt.id)) {
        this.batcher.add(waiter);
        continue;
      }
      seen.add(settlement.attempt.id);
      if (settlement.kind === 'complete')
        append(completions, settlement.namespace, { attempt: settlement.attempt, waiter });
      else append(failures, settlement.namespace, { attempt: settlement.attempt, waiter });
    }
    await Promise.all([
      ...[...completions].map(([namespace, group]) =>
        settleGroup(group, (attempts) => this.store.complete(namespace, attempts)),
      ),
      ...[...failures].map(([namespace, group]) =>
        settleGroup(group, (attempts) => this.store.fail(namespace, attempts)),
      ),
    ]);
  }
}

interface Pending<A> {
  attempt: A;
  waiter: Waiter;
}

function append<A>(groups: Map<string, Pending<A>[]>, namespace: string, pending: Pending<A>): void {
  const group = groups.get(namespace);
  if (group === undefined) groups.set(namespace, [pending]);
  else group.push(pending);
}

async function settleGroup<A extends { id: string }>(
  group: readonly Pending<A>[],
  write: (attempts: A[]) => Promise<Map<string, JobView>>,
): Promise<void> {
  try {
    const settled = await write(group.map((pending) => pending.attempt));
    for (const { attempt, waiter } of group) waiter.resolve(settled.get(attempt.id));
  } catch (error) {
    for (const { waiter } of group) waiter.reject(error);
  }
}
