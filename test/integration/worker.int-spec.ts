import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  GetJobQuery,
  InvalidPayloadError,
  SubmitJobCommand,
  type SubmitJobInput,
  UnknownJobTypeError,
} from '#conveyor/jobs';
import { CronSchedulerService, HandlerRegistrationError, HousekeepingService } from '#conveyor/worker';
import { type Instance, startInstance } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { insertJobRows } from '../support/job-rows.js';

const DAY = 86_400;
import {
  BillingHandlersModule,
  createEffectsTable,
  CronHandlersModule,
  DuplicateHandlersModule,
  TestHandlersModule,
} from '../support/test-handlers.js';

let db: TestDatabase;
const instances: Instance[] = [];

/** Fast timings so recovery paths finish in test time; everything else as in production. */
const FAST: Record<string, string> = {
  CONVEYOR_POLL_INTERVAL_MS: '50',
  CONVEYOR_REAPER_INTERVAL_MS: '200',
  CONVEYOR_EXAMPLE_HANDLERS: 'false',
};

async function instance(env: Record<string, string> = {}, modules = [TestHandlersModule]): Promise<Instance> {
  const started = await startInstance(db.url, { ...FAST, ...env }, modules);
  instances.push(started);
  return started;
}

beforeAll(async () => {
  db = await createTestDatabase();
  await createEffectsTable(db);
});
afterEach(async () => {
  await Promise.all(instances.splice(0).map((started) => started.close()));
});
afterAll(async () => {
  await db.drop();
});

function submit(
  app: Instance,
  type: string,
  payload: Record<string, unknown>,
  extra: Partial<SubmitJobInput> = {},
) {
  return app.app.get(CommandBus).execute(
    new SubmitJobCommand({
      namespace: 'default',
      type,
      queue: null,
      payload,
      priority: 0,
      runAt: null,
      maxAttempts: null,
      backoff: { type: 'fixed', delayMs: 50, maxDelayMs: 50 },
      idempotencyKey: null,
      dedupeWindowSeconds: null,
      ...extra,
    }),
  );
}

async function jobRow(id: string): Promise<{ status: string; attempts: number; last_error: string | null }> {
  const { rows } = await db.client.query<{ status: string; attempts: number; last_error: string | null }>(
    'SELECT status, attempts, last_error FROM jobs WHERE id = $1',
    [id],
  );
  return rows[0]!;
}

async function effects(jobId: string): Promise<number> {
  const { rows } = await db.client.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM test_effects WHERE job_id = $1',
    [jobId],
  );
  return rows[0]!.n;
}

describe('in-process handlers', () => {
  it('run each job exactly once in effect with three instances sharing the database', async () => {
    const [first] = await Promise.all([instance(), instance(), instance()]);
    const submitted = await Promise.all(
      Array.from({ length: 300 }, (_, n) => submit(first, 'test.effect', { n })),
    );
    const ids = submitted.map((result) => result.job.id);
    await eventually(async () => {
      const { rows } = await db.client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM jobs WHERE id = ANY ($1) AND status = 'completed'`,
        [ids],
      );
      expect(rows[0]!.n).toBe(300);
    }, 30_000);
    const { rows } = await db.client.query<{ job_id: string; n: number }>(
      `SELECT job_id, count(*)::int AS n FROM test_effects WHERE job_id = ANY ($1) GROUP BY job_id`,
      [ids],
    );
    expect(rows).toHaveLength(300);
    expect(rows.every((row) => row.n === 1)).toBe(true);
    const { rows: workers } = await db.client.query<{ n: number }>(
      `SELECT count(DISTINCT worker_id)::int AS n FROM jobs WHERE id = ANY ($1)`,
      [ids],
    );
    expect(workers[0]!.n).toBeGreaterThan(1);
  });

  it('validate payloads at submit against the handler DTO, and take the handler defaults', async () => {
    const app = await instance({ CONVEYOR_ROLE: 'api' });
    await expect(submit(app, 'test.effect', { holdMs: 'long' })).rejects.toBeInstanceOf(InvalidPayloadError);
    await expect(submit(app, 'test.effect', { unknown: 1 })).rejects.toMatchObject({
      fields: [{ field: 'unknown', messages: ['property unknown should not exist'] }],
    });
    const { job } = await submit(app, 'test.effect', { n: -1 }, { backoff: null });
    expect(job.maxAttempts).toBe(3); // from @JobHandler('test.effect', { maxAttempts: 3 })
    // Types without an in-process handler are left to REST workers ...
    await expect(submit(app, 'elsewhere', { any: 'thing' })).resolves.toMatchObject({ created: true });
    // ... unless the service is told to refuse them.
    const strict = await instance({ CONVEYOR_ROLE: 'api', CONVEYOR_REJECT_UNKNOWN_TYPES: 'true' });
    await expect(submit(strict, 'elsewhere', { other: 'thing' })).rejects.toBeInstanceOf(UnknownJobTypeError);
  });

  it('belong to one namespace: the same type elsewhere has its own rules, handler, or none', async () => {
    const app = await instance({}, [TestHandlersModule, BillingHandlersModule]);
    const inBilling = { namespace: 'billing' };
    await expect(submit(app, 'test.effect', { holdMs: 1 }, inBilling)).rejects.toMatchObject({
      fields: expect.arrayContaining([expect.objectContaining({ field: 'invoice' })]) as unknown,
    });
    const billing = await submit(app, 'test.effect', { invoice: 7 }, inBilling);
    expect(billing.job.maxAttempts).toBe(2);
    const standard = await submit(app, 'test.effect', { n: 1 });
    const stranger = await submit(app, 'test.effect', { anything: true }, { namespace: 'stranger' });

    await eventually(async () => {
      expect((await jobRow(billing.job.id)).status).toBe('completed');
      expect((await jobRow(standard.job.id)).status).toBe('completed');
    });
    const { rows } = await db.client.query<{ id: string; result: unknown }>(
      'SELECT id, result FROM jobs WHERE id = ANY($1)',
      [[billing.job.id, standard.job.id]],
    );
    expect(rows.find((row) => row.id === billing.job.id)?.result).toEqual({ billed: 7 });
    expect(rows.find((row) => row.id === standard.job.id)?.result).toEqual({ pid: process.pid });
    // No handler serves `stranger`: its job waits for a REST worker of that namespace.
    expect((await jobRow(stranger.job.id)).status).toBe('pending');
  });

  it('refuse to boot with two handlers for one type', async () => {
    await expect(startInstance(db.url, FAST, [TestHandlersModule, DuplicateHandlersModule])).rejects.toThrow(
      new HandlerRegistrationError(
        'job type "test.effect" in namespace "default" has two handlers, EffectHandler and SecondEffectHandler: a type has exactly one',
      ),
    );
  });
});

describe('concurrency', () => {
  it('keeps every slot of a handler busy while a backlog waits, claiming as slots free', async () => {
    // Each job holds a connection for its transaction: a pool above the 20 slots (docs/operations.md).
    const app = await instance({ CONVEYOR_DB_POOL_SIZE: '30' });
    // 20 slots (test.effect's concurrency) and a backlog of long jobs that finish at different times.
    const submitted = await Promise.all(
      Array.from({ length: 80 }, (_, n) => submit(app, 'test.effect', { n, holdMs: 300 + (n % 9) * 120 })),
    );
    const ids = submitted.map(({ job }) => job.id);
    const running = async (): Promise<number> => {
      const { rows } = await db.client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM jobs WHERE id = ANY ($1) AND status = 'processing'`,
        [ids],
      );
      return rows[0]!.n;
    };
    await eventually(async () => {
      expect(await running()).toBe(20);
    });
    // While at least a slot's worth of the backlog remains, sampled every 50 ms: never half empty,
    // as when the loop waited for half its slots to free before claiming again.
    const samples: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      samples.push(await running());
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(Math.min(...samples)).toBeGreaterThanOrEqual(17);
    expect(samples.filter((n) => n === 20).length).toBeGreaterThanOrEqual(samples.length / 2);
  }, 30_000);
});

describe('leases', () => {
  it('a process that stalls in its transaction for longer than a lease loses the job, and its writes', async () => {
    const app = await instance({ CONVEYOR_LEASE_SECONDS: '1' });
    // The first attempt blocks the whole process (no keep-alive, no timer) for three leases.
    const { job } = await submit(app, 'test.effect', { stallMs: 3000 });
    await eventually(async () => {
      expect((await jobRow(job.id)).status).toBe('completed');
    }, 15_000);
    // PostgreSQL ended the idle transaction, the reaper took the job back, the second attempt ran.
    expect(await jobRow(job.id)).toMatchObject({ attempts: 2 });
    const { rows } = await db.client.query<{ attempt: number }>(
      'SELECT attempt FROM test_effects WHERE job_id = $1',
      [job.id],
    );
    expect(rows).toEqual([{ attempt: 2 }]);
  });

  it('with heartbeats a handler keeps its job well past the lease time', async () => {
    const app = await instance({ CONVEYOR_LEASE_SECONDS: '1' });
    const { job } = await submit(app, 'test.effect', { holdMs: 3000 });
    await eventually(async () => {
      expect((await jobRow(job.id)).status).toBe('completed');
    }, 10_000);
    expect(await jobRow(job.id)).toMatchObject({ attempts: 1 });
    expect(await effects(job.id)).toBe(1);
  });

  it.each(['REPEATABLE READ', 'SERIALIZABLE'])(
    'a %s transaction running across many heartbeats completes on its first attempt',
    async (isolationLevel) => {
      const app = await instance({ CONVEYOR_LEASE_SECONDS: '1' });
      const { job } = await submit(app, 'test.effect', { holdMs: 2500, isolationLevel }, { maxAttempts: 1 });
      await eventually(async () => {
        expect((await jobRow(job.id)).status).toBe('completed');
      }, 10_000);
      expect(await effects(job.id)).toBe(1);
    },
  );

  it('a failure in a transaction that outlived its lease records its own error and undoes its writes', async () => {
    const app = await instance({ CONVEYOR_LEASE_SECONDS: '1' });
    const { job } = await submit(app, 'test.effect', { holdMs: 2500, fail: 'retryable' }, { maxAttempts: 1 });
    await eventually(async () => {
      expect(await jobRow(job.id)).toMatchObject({ status: 'dead_letter', last_error: 'flaky' });
    }, 10_000);
    expect(await effects(job.id)).toBe(0);
  });

  it('never completes a job without its writes when the server ends its transaction', async () => {
    const app = await instance();
    const { job } = await submit(app, 'test.effect', { holdMs: 1000 }, { maxAttempts: 2 });
    // The handler has written its effect and waits, in its transaction: the server ends it.
    await eventually(async () => {
      expect(await db.terminateConnections('idle in transaction')).toBe(1);
    });
    await eventually(async () => {
      expect((await jobRow(job.id)).status).toBe('completed');
    }, 10_000);
    const { rows } = await db.client.query<{ attempt: number }>(
      'SELECT attempt FROM test_effects WHERE job_id = $1',
      [job.id],
    );
    expect(rows).toEqual([{ attempt: 2 }]);
  });

  it('times out a slow attempt as a retryable failure', async () => {
    const app = await instance();
    const { job } = await submit(app, 'test.timeout', {}, { maxAttempts: 1 });
    await eventually(async () => {
      expect(await jobRow(job.id)).toMatchObject({
        status: 'dead_letter',
        last_error: 'timed out after 200 ms',
      });
    });
  });

  it('retries failures, dead-letters a poison job, and keeps serving the others', async () => {
    const app = await instance();
    const poison = await submit(app, 'test.effect', { fail: 'retryable' }, { maxAttempts: 3 });
    const permanent = await submit(app, 'test.effect', { fail: 'permanent' });
    const healthy = await submit(app, 'test.effect', { n: 42 });
    await eventually(async () => {
      expect(await jobRow(poison.job.id)).toMatchObject({
        status: 'dead_letter',
        attempts: 3,
        last_error: 'flaky',
      });
      expect(await jobRow(permanent.job.id)).toMatchObject({ status: 'dead_letter', attempts: 1 });
      expect(await jobRow(healthy.job.id)).toMatchObject({ status: 'completed' });
    });
    // Failed attempts rolled back their writes.
    expect(await effects(poison.job.id)).toBe(0);
    expect(await effects(healthy.job.id)).toBe(1);
  });
});

describe('progress', () => {
  it('reported in-process is coalesced to the last report and shown while the job runs', async () => {
    // Three reports in one go are merged into one write of the last one.
    const app = await instance();
    const { job } = await submit(app, 'test.progress', {});
    await eventually(async () => {
      const shown = await app.app.get(QueryBus).execute(new GetJobQuery('default', job.id));
      expect(shown).toMatchObject({ status: 'processing', progress: { percent: 90, data: { step: 9 } } });
    });
  });
});

describe('shutdown', () => {
  it('lets short jobs finish, then hands long ones back without counting the attempt', async () => {
    const app = await instance({ CONVEYOR_SHUTDOWN_GRACE_MS: '1000' });
    const short = await submit(app, 'test.effect', { holdMs: 300 });
    const long = await submit(app, 'test.effect', { holdMs: 30_000 });
    await eventually(async () => {
      expect((await jobRow(short.job.id)).status).toBe('processing');
      expect((await jobRow(long.job.id)).status).toBe('processing');
    });
    const started = Date.now();
    await instances.splice(0)[0]!.close();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await jobRow(short.job.id)).toMatchObject({ status: 'completed', attempts: 1 });
    expect(await jobRow(long.job.id)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await effects(long.job.id)).toBe(0);
    // Not for the next test's instance to pick up.
    await db.client.query(`UPDATE jobs SET status = 'cancelled' WHERE id = $1`, [long.job.id]);
  });
});

describe('wake-ups', () => {
  it('start a job within moments of its submit through LISTEN/NOTIFY, with polling set to 30 s', async () => {
    const app = await instance({ CONVEYOR_POLL_INTERVAL_MS: '30000' });
    await new Promise((resolve) => setTimeout(resolve, 300)); // the claim loop is idle, LISTEN is up
    const { job } = await submit(app, 'test.effect', { n: 7 });
    await eventually(async () => {
      expect((await jobRow(job.id)).status).toBe('completed');
    }, 3000);
  });

  it('fall back to polling when LISTEN is off (PgBouncer transaction pooling)', async () => {
    const app = await instance({ CONVEYOR_LISTEN: 'false', CONVEYOR_POLL_INTERVAL_MS: '200' });
    const { job } = await submit(app, 'test.effect', { n: 8 });
    await eventually(async () => {
      expect((await jobRow(job.id)).status).toBe('completed');
    }, 3000);
    const { rows } = await db.client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'`,
    );
    expect(rows[0]!.n).toBe(0);
  });
});

describe('database outages', () => {
  it('resumes by itself after its connections are killed', async () => {
    const app = await instance();
    const before = await submit(app, 'test.effect', { n: 1 });
    await eventually(async () => {
      expect((await jobRow(before.job.id)).status).toBe('completed');
    });
    await db.terminateConnections();
    const after = await eventually(() => submit(app, 'test.effect', { n: 2 }), 10_000, 200);
    await eventually(async () => {
      expect((await jobRow(after.job.id)).status).toBe('completed');
    }, 15_000);
  });
});

describe('housekeeping', () => {
  it('reaps expired leases back to failed, or to dead_letter when attempts are used up', async () => {
    const app = await instance({ CONVEYOR_ROLE: 'api' });
    const rows = await Promise.all(
      [1, 2].map(async (attempts) => {
        const [id] = await insertJobRows(db.client, {
          status: 'processing',
          queue: 'reap',
          type: 'external',
          attempts,
          maxAttempts: 2,
          leaseExpired: true,
        });
        return { id: id!, attempts };
      }),
    );
    await app.app.get(HousekeepingService).reapExpiredLeases();
    for (const row of rows) {
      expect(await jobRow(row.id)).toMatchObject({
        status: row.attempts >= 2 ? 'dead_letter' : 'failed',
        last_error: 'lease expired',
      });
    }
  });

  it('deletes finished jobs past retention with their history, and keeps the rest', async () => {
    const app = await instance({ CONVEYOR_ROLE: 'api' });
    const ids: Record<string, string> = {};
    for (const [name, status, ageSeconds] of [
      ['oldDone', 'completed', 8 * DAY],
      ['newDone', 'completed', 1 * DAY],
      ['oldCancelled', 'cancelled', 8 * DAY],
      ['oldDead', 'dead_letter', 31 * DAY],
      ['youngDead', 'dead_letter', 8 * DAY],
      ['oldPending', 'pending', 90 * DAY],
    ] as const) {
      const [id] = await insertJobRows(db.client, { status, queue: 'retention', ageSeconds });
      ids[name] = id!;
    }
    await app.app.get(HousekeepingService).applyRetention();
    const { rows } = await db.client.query<{ id: string }>(`SELECT id FROM jobs WHERE queue = 'retention'`);
    expect(rows.map((row) => row.id).sort()).toEqual(
      [ids['newDone'], ids['youngDead'], ids['oldPending']].sort(),
    );
    const { rows: history } = await db.client.query('SELECT 1 FROM job_events WHERE job_id = $1', [
      ids['oldDone'],
    ]);
    expect(history).toHaveLength(0);
  });
});

describe('cron', () => {
  it('enqueues each slot once across three instances', async () => {
    const replicas = await Promise.all(
      [1, 2, 3].map(() => instance({ CONVEYOR_ROLE: 'api' }, [CronHandlersModule])),
    );
    // Drive the schedulers by hand, all at once, several times over three seconds.
    for (let round = 0; round < 6; round += 1) {
      await Promise.all(replicas.map((replica) => replica.app.get(CronSchedulerService).tick()));
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const { rows } = await db.client.query<{ idempotency_key: string; n: number }>(
      `SELECT idempotency_key, count(*)::int AS n FROM jobs WHERE type = 'test.cron' GROUP BY idempotency_key`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows.every((row) => row.n === 1 && /^cron:test\.cron:\d{4}-/.test(row.idempotency_key))).toBe(
      true,
    );
  });
});
