import { randomUUID } from 'node:crypto';
import {
  CancelJobCommand,
  ClaimJobCommand,
  canTransition,
  CompleteJobCommand,
  explainLeaseAction,
  explainOperatorMove,
  FailJobCommand,
  HeartbeatJobCommand,
  JobConflictError,
  LockJobCommand,
  type JobState,
  type LeaseAction,
  OPERATOR_MOVES,
  type OperatorMove,
  ReapExpiredLeasesCommand,
  RedriveDeadLettersCommand,
  ReleaseJobsCommand,
  RetryJobCommand,
} from '#conveyor/jobs';
import type { QueryRunner } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertJobRows, type JobRowSpec, jobRowState, type JobRowState } from '../support/job-rows.js';
import { createJobsContext, type JobsContext } from '../support/jobs-context.js';

// The conformance grid (docs/state-machine.md): every lifecycle statement, run through its command
// on real PostgreSQL, over every state a job can be in (status x attempts left or used up x lease
// alive, expired or absent x the token presented: the current lease's, the last ended one's, or
// another) and held to the domain. The statements decide; the explainer (domain/refusals.ts) says
// why they refuse. So: whatever a statement did, the explainer allows; whatever it refused, the
// explainer refuses for the same reason (or calls a replay, answered as such); and every change is
// legal in the status table and lands where the decision table of docs/state-machine.md says.

let db: TestDatabase;
let jobs: JobsContext;
beforeAll(async () => {
  db = await createTestDatabase();
  jobs = await createJobsContext(db.url);
});
afterAll(async () => {
  await jobs.close();
  await db.drop();
});

const bus = () => jobs.commandBus;

const STATES: { label: string; spec: JobRowSpec }[] = [
  { label: 'pending', spec: { status: 'pending' } },
  { label: 'pending, handed back', spec: { status: 'pending', handedBack: true } },
  { label: 'processing, lease alive', spec: { status: 'processing', attempts: 1, maxAttempts: 3 } },
  {
    label: 'processing, lease expired',
    spec: { status: 'processing', attempts: 1, maxAttempts: 3, leaseExpired: true },
  },
  {
    label: 'processing on its last attempt, lease alive',
    spec: { status: 'processing', attempts: 3, maxAttempts: 3 },
  },
  {
    label: 'processing on its last attempt, lease expired',
    spec: { status: 'processing', attempts: 3, maxAttempts: 3, leaseExpired: true },
  },
  { label: 'failed by its worker', spec: { status: 'failed', attempts: 1, maxAttempts: 3 } },
  {
    label: 'failed by an expired lease',
    spec: { status: 'failed', attempts: 2, maxAttempts: 3, lastLeaseEnd: 'expired' },
  },
  { label: 'completed', spec: { status: 'completed', attempts: 1, maxAttempts: 3 } },
  { label: 'completed on its last attempt', spec: { status: 'completed', attempts: 3, maxAttempts: 3 } },
  { label: 'dead_letter, failed for good', spec: { status: 'dead_letter', attempts: 1, maxAttempts: 3 } },
  {
    label: 'dead_letter, last lease expired',
    spec: { status: 'dead_letter', attempts: 3, maxAttempts: 3, lastLeaseEnd: 'expired' },
  },
  { label: 'waiting for a dependency', spec: { status: 'waiting' } },
  { label: 'cancelled', spec: { status: 'cancelled' } },
  {
    label: 'cancelled while waiting for a dependency',
    spec: { status: 'cancelled', waitingOnParent: true },
  },
  { label: 'cancelled after a failure', spec: { status: 'cancelled', attempts: 1, maxAttempts: 3 } },
];

type Token = 'current lease' | 'last lease' | 'another';
const TOKENS: Token[] = ['current lease', 'last lease', 'another'];

interface Case {
  state: JobState;
  row: JobRowState;
  queue: string;
}

let queues = 0;
async function arrange(spec: JobRowSpec): Promise<Case> {
  queues += 1;
  const queue = `grid-${queues}`;
  const [id] = await insertJobRows(db.client, {
    ...spec,
    queue,
    backoff: { type: 'fixed', delayMs: 0, maxDelayMs: 0 },
  });
  return { ...(await stateOf(id!)), queue };
}

/** The job as the explainer sees it, read independently of the library. */
async function stateOf(id: string): Promise<{ state: JobState; row: JobRowState }> {
  const row = await jobRowState(db.client, id);
  const { rows } = await db.client.query<{ lease_expired: boolean; due: boolean }>(
    `SELECT coalesce(lease_expires_at <= now(), false) AS lease_expired, run_at <= now() AS due FROM jobs WHERE id = $1`,
    [id],
  );
  const { lease_expired: leaseExpired, due } = rows[0]!;
  return {
    row,
    state: {
      id,
      status: row.status,
      attempts: row.attempts,
      maxAttempts: row.max_attempts,
      leaseToken: row.lease_token,
      leaseExpired,
      due,
      lastLeaseToken: row.last_lease_token,
      lastLeaseEnd: row.last_lease_end as JobState['lastLeaseEnd'],
    },
  };
}

function tokenFor(row: JobRowState, token: Token): string | null {
  switch (token) {
    case 'current lease':
      return row.lease_token;
    case 'last lease':
      return row.last_lease_token;
    case 'another':
      return randomUUID();
  }
}

/**
 * What an in-process handler does with its job: the lease actions, and the same settlements inside
 * the handler's transaction, which first takes hold of the job (lock).
 */
type GridAction = LeaseAction | 'fail for good' | 'complete in its transaction' | 'fail in its transaction';

/** The decision table of docs/state-machine.md, written out for the lease holder's actions. */
function decided(before: JobState, action: GridAction): string {
  switch (action) {
    case 'complete':
    case 'complete in its transaction':
      return 'completed';
    case 'fail':
    case 'fail in its transaction':
      return before.attempts < before.maxAttempts ? 'failed' : 'dead_letter';
    case 'fail for good':
      return 'dead_letter';
    case 'heartbeat':
    case 'lock':
      return 'processing';
    case 'release':
      return 'pending';
  }
}

/** What a command answered: the job, a conflict, or how many it moved. */
type Answer = { replayed: boolean } | { conflict: JobConflictError } | { moved: number };

async function answered(command: () => Promise<unknown>): Promise<Answer> {
  try {
    const result = await command();
    if (typeof result === 'number') return { moved: result };
    if (typeof result === 'object' && result !== null && 'redriven' in result) {
      return { moved: (result as { redriven: number }).redriven };
    }
    return { replayed: (result as { replayed?: boolean } | undefined)?.replayed === true };
  } catch (error) {
    if (error instanceof JobConflictError) return { conflict: error };
    throw error;
  }
}

const LEASE_ACTIONS: GridAction[] = [
  'complete',
  'fail',
  'fail for good',
  'heartbeat',
  'release',
  'lock',
  'complete in its transaction',
  'fail in its transaction',
];

/** What the explainer is asked: a settlement in a transaction is refused (or not) by its lock. */
function explainedAs(action: GridAction): LeaseAction {
  switch (action) {
    case 'fail for good':
      return 'fail';
    case 'complete in its transaction':
    case 'fail in its transaction':
      return 'lock';
    case 'complete':
    case 'fail':
    case 'heartbeat':
    case 'lock':
    case 'release':
      return action;
  }
}

/**
 * Runs `work` in a handler's transaction that holds the job first, as the worker does; a lock alone
 * is rolled back (the handler wrote nothing).
 */
async function inItsTransaction(
  id: string,
  token: string,
  work: ((transaction: QueryRunner) => Promise<unknown>) | null,
): Promise<unknown> {
  const transaction = jobs.dataSource.createQueryRunner();
  await transaction.connect();
  try {
    await transaction.startTransaction();
    await bus().execute(new LockJobCommand('default', id, token, transaction));
    return await (work ?? (() => Promise.resolve()))(transaction);
  } finally {
    if (transaction.isTransactionActive) await transaction.rollbackTransaction();
    await transaction.release();
  }
}

const leaseCases = STATES.flatMap(({ label, spec }) =>
  TOKENS.flatMap((token) =>
    LEASE_ACTIONS.map((action): [string, Token, GridAction, JobRowSpec] => [label, token, action, spec]),
  ),
);

describe('lease holders: complete, fail, heartbeat, release', () => {
  it.each(leaseCases)('%s, with the %s token: %s', async (_label, tokenKind, action, spec) => {
    const { state: before, row } = await arrange(spec);
    const token = tokenFor(row, tokenKind);
    if (token === null) return; // no such lease on this job: nothing to present
    const { id } = before;
    const explanation = explainLeaseAction(before, token, explainedAs(action));
    const answer = await answered(() => {
      switch (action) {
        case 'complete':
          return bus().execute(new CompleteJobCommand('default', id, token, { grid: true }));
        case 'fail':
        case 'fail for good':
          return bus().execute(new FailJobCommand('default', id, token, 'grid', action === 'fail'));
        case 'heartbeat':
          return bus().execute(new HeartbeatJobCommand('default', id, token, 60));
        case 'release':
          return bus().execute(new ReleaseJobsCommand('default', [{ id, leaseToken: token }]));
        case 'lock':
          return inItsTransaction(id, token, null);
        case 'complete in its transaction':
          return inItsTransaction(id, token, (transaction) =>
            bus().execute(new CompleteJobCommand('default', id, token, { grid: true }, transaction)),
          );
        case 'fail in its transaction':
          return inItsTransaction(id, token, (transaction) =>
            bus().execute(new FailJobCommand('default', id, token, 'grid', true, transaction)),
          );
      }
    });
    const { state: after, row: rowAfter } = await stateOf(id);

    switch (explanation.kind) {
      case 'allowed':
        // The statement must have acted, and landed where the decision table says.
        expect(after.status).toBe(decided(before, action));
        expect(canTransition(before.status, after.status) || action === 'heartbeat').toBe(true);
        if (action === 'heartbeat')
          expect(rowAfter.updated_at.getTime()).toBeGreaterThan(row.updated_at.getTime());
        if ('moved' in answer) expect(answer.moved).toBe(1);
        else expect(answer).toEqual({ replayed: false });
        break;
      case 'refused':
        expect(rowAfter).toEqual(row);
        if ('moved' in answer) expect(answer.moved).toBe(0);
        else
          expect(answer).toEqual({
            conflict: expect.objectContaining({
              reason: explanation.error.reason,
              currentStatus: explanation.error.currentStatus,
            }) as unknown,
          });
        break;
      case 'replay':
        expect(rowAfter).toEqual(row);
        expect(answer).toEqual({ replayed: true });
        break;
    }
  });
});

describe('operator moves: cancel, retry, redrive', () => {
  const moves: OperatorMove[] = ['cancel', 'retry', 'redrive'];
  it.each(
    STATES.flatMap(({ label, spec }) =>
      moves.map((move): [string, OperatorMove, JobRowSpec] => [label, move, spec]),
    ),
  )('%s: %s', async (_label, move, spec) => {
    const { state: before, row } = await arrange(spec);
    const { id } = before;
    const explanation = explainOperatorMove(before, move);
    const answer = await answered(() => {
      switch (move) {
        case 'cancel':
          return bus().execute(new CancelJobCommand('default', id));
        case 'retry':
          return bus().execute(new RetryJobCommand('default', id));
        case 'redrive':
          return bus().execute(
            new RedriveDeadLettersCommand({
              namespace: 'default',
              queue: null,
              type: null,
              ids: [id],
              errorContains: null,
              minAgeSeconds: null,
              maxAgeSeconds: null,
            }),
          );
      }
    });
    const { state: after, row: rowAfter } = await stateOf(id);
    if (explanation.kind === 'allowed') {
      // A retried node whose dependency has not completed waits for it again.
      const to = move === 'retry' && spec.waitingOnParent === true ? 'waiting' : OPERATOR_MOVES[move].to;
      expect(after.status).toBe(to);
      expect(canTransition(before.status, after.status)).toBe(true);
      if (to === 'pending' || to === 'waiting') expect(after.attempts).toBe(0);
      if ('moved' in answer) expect(answer.moved).toBe(1);
    } else {
      expect(rowAfter).toEqual(row);
      if ('moved' in answer) expect(answer.moved).toBe(0);
      else if (explanation.kind === 'refused')
        expect(answer).toEqual({
          conflict: expect.objectContaining({ currentStatus: explanation.error.currentStatus }) as unknown,
        });
    }
  });
});

describe('claims and the reaper: the statements decide, as the decision table says', () => {
  /** docs/state-machine.md: what a claim of the job's queue does to it. */
  function claimed(before: JobState): string {
    if (before.status === 'pending' || (before.status === 'failed' && before.due)) return 'processing';
    if (before.status === 'processing' && before.leaseExpired) {
      return before.attempts < before.maxAttempts ? 'processing' : 'dead_letter';
    }
    return before.status;
  }

  /** What the reaper does to it. */
  function reaped(before: JobState): string {
    if (before.status !== 'processing' || !before.leaseExpired) return before.status;
    return before.attempts < before.maxAttempts ? 'failed' : 'dead_letter';
  }

  it.each(STATES)('claim: $label', async ({ spec }) => {
    const { state: before, queue } = await arrange(spec);
    const handed = await bus().execute(
      new ClaimJobCommand({
        namespace: 'default',
        queue,
        types: null,
        limit: 1,
        leaseSeconds: 60,
        workerId: 'grid',
      }),
    );
    const { state: after } = await stateOf(before.id);
    expect(after.status).toBe(claimed(before));
    expect(handed.map((job) => job.id)).toEqual(
      after.status === 'processing' && after.leaseToken !== before.leaseToken ? [before.id] : [],
    );
    if (after.status !== before.status || after.leaseToken !== before.leaseToken) {
      expect(canTransition(before.status, after.status)).toBe(true);
      // A claim counts an attempt; dead-lettering an expired last attempt does not.
      expect(after.attempts).toBe(before.attempts + (after.status === 'processing' ? 1 : 0));
    }
  });

  it.each(STATES)('reap: $label', async ({ spec }) => {
    const { state: before } = await arrange(spec);
    await bus().execute(new ReapExpiredLeasesCommand(1000));
    const { state: after } = await stateOf(before.id);
    expect(after.status).toBe(reaped(before));
    if (after.status !== before.status) {
      expect(canTransition(before.status, after.status)).toBe(true);
      expect(after).toMatchObject({
        attempts: before.attempts,
        lastLeaseToken: before.leaseToken,
        lastLeaseEnd: 'expired',
      });
    }
  });
});

describe('a job held by the transaction of its handler', () => {
  it('is neither reaped nor claimed again once its lease runs out, and completes under its token', async () => {
    const { queue } = await arrange({ status: 'pending' });
    const claim = (leaseSeconds: number) =>
      bus().execute(
        new ClaimJobCommand({
          namespace: 'default',
          queue,
          types: null,
          limit: 1,
          leaseSeconds,
          workerId: 'grid',
        }),
      );
    const [job] = await claim(1);
    const { id, leaseToken } = job!;
    await inItsTransaction(id, leaseToken, async (transaction) => {
      await new Promise((resolve) => setTimeout(resolve, 1300));
      expect((await stateOf(id)).state.leaseExpired).toBe(true);
      await bus().execute(new ReapExpiredLeasesCommand(1000));
      expect(await claim(60)).toEqual([]);
      await bus().execute(new CompleteJobCommand('default', id, leaseToken, { late: true }, transaction));
    });
    const { state, row } = await stateOf(id);
    expect(state).toMatchObject({ status: 'completed', attempts: 1, lastLeaseToken: leaseToken });
    expect(row.result).toEqual({ late: true });
  });

  it('whose lease ran out before the transaction began is refused, like a heartbeat', async () => {
    const { queue } = await arrange({ status: 'pending' });
    const [job] = await bus().execute(
      new ClaimJobCommand({
        namespace: 'default',
        queue,
        types: null,
        limit: 1,
        leaseSeconds: 1,
        workerId: 'grid',
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1300));
    await expect(inItsTransaction(job!.id, job!.leaseToken, null)).rejects.toMatchObject({
      reason: 'lease_expired',
    });
  });
});
