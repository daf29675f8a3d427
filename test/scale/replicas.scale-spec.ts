import { setTimeout as delay } from 'node:timers/promises';
import { type ScratchPgBouncer, startScratchPgBouncer } from '#conveyor/database';
import { CONVEYOR_MIGRATIONS } from '#conveyor-schema';
import { createChaosTables, REST_QUEUE } from '../chaos/support/chaos-handlers.js';
import { ChaosClient, type JobSpec } from '../chaos/support/client.js';
import { send } from '../chaos/support/http.js';
import type { Ending } from '../chaos/support/processes.js';
import { between, scaled, settledAndChecked } from '../chaos/support/scenario.js';
import { appliedMigrations, createEmptyDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { Replicas } from './support/replicas.js';

// Four replicas behind PgBouncer (docs/scaling.md): Debian's PgBouncer in transaction pooling in
// front of the suite's PostgreSQL, two `api` and two `worker` replicas of the production entry
// point with LISTEN and named prepared statements off, and REST workers claiming through the api
// replicas. One deployment serves the whole file, as one serves a team: it boots on an empty
// database, takes load, loses a worker to kill -9 and is restarted replica by replica; after each,
// every job it ever acknowledged has ended exactly once.

/** The queue of the shipped in-process handlers (sleep, noop), and the REST workers' queue. */
const QUEUES = ['default', REST_QUEUE];
const SETTLE_MS = scaled(120_000, 600_000);

interface Deployment {
  db: TestDatabase;
  pgbouncer: ScratchPgBouncer;
  replicas: Replicas;
  /** One client for the whole file: the invariants hold every job it was ever acknowledged. */
  client: ChaosClient;
}

const started: Partial<Deployment> = {};

function deployed(): Deployment {
  const { db, pgbouncer, replicas, client } = started;
  if (db === undefined || pgbouncer === undefined || replicas === undefined || client === undefined) {
    throw new Error('the deployment did not start');
  }
  return { db, pgbouncer, replicas, client };
}

beforeAll(async () => {
  const db = await createEmptyDatabase();
  started.db = db;
  await createChaosTables(db);
  started.pgbouncer = await startScratchPgBouncer([db.url]);
  started.replicas = await Replicas.start({
    db,
    pgbouncer: started.pgbouncer,
    apis: 2,
    workers: 2,
    restWorkers: 2,
  });
  started.client = new ChaosClient(started.replicas.apiUrls);
}, 180_000);

afterAll(async () => {
  await started.replicas?.stop();
  await started.pgbouncer?.stop();
  await started.db?.drop();
});

/** The test's body; when it fails, the last lines of every process go with the failure. */
async function explained(body: (deployment: Deployment) => Promise<void>): Promise<void> {
  const current = deployed();
  try {
    await body(current);
  } catch (error) {
    console.error(`processes:\n${current.replicas.output()}\n--- pgbouncer\n${current.pgbouncer.output()}`);
    throw error;
  }
}

/**
 * The n-th job of a mixed load: a third for the REST workers, a third for the in-process `sleep`
 * handler (up to `maxSleepMs`), a third for `noop`.
 */
function mixed(prefix: string, maxSleepMs: number): (n: number) => JobSpec {
  return (n) => {
    const key = `${prefix}-${n}`;
    if (n % 3 === 0) return { key, type: 'chaos.rest', queue: REST_QUEUE, payload: { n }, maxAttempts: 25 };
    if (n % 3 === 1) return { key, type: 'sleep', queue: 'default', payload: { ms: between(0, maxSleepMs) } };
    return { key, type: 'noop', queue: 'default', payload: { n } };
  };
}

function jobs(count: number, make: (n: number) => JobSpec): JobSpec[] {
  return Array.from({ length: count }, (_, n) => make(n));
}

/**
 * Waits until every job the client was ever acknowledged has settled, and holds them to the chaos
 * suite's invariants (each ended once, its history legal, a REST job with its effect), every one
 * completed.
 */
async function everyJobCompletedOnce(name: string, { db, client }: Deployment): Promise<void> {
  const total = client.acknowledged.size;
  const outcome = await settledAndChecked(name, db, client, total, SETTLE_MS, QUEUES);
  expect(outcome.completed).toBe(total);
}

it('applies each migration once when the replicas boot at once on an empty database', () =>
  explained(async ({ db, replicas }) => {
    expect(await appliedMigrations(db)).toEqual(new Map(CONVEYOR_MIGRATIONS.map(({ name }) => [name, 1])));
    // No replica failed its boot, or logged an error, while the others migrated.
    expect(replicas.unexpected).toEqual([]);
    expect(replicas.crashes).toBe(0);
  }));

it('completes every job exactly once under submits spread over both api replicas, run by in-process handlers and REST workers', () =>
  explained(async (deployment) => {
    const { db, replicas, client } = deployment;
    await client.submitAll(jobs(scaled(600, 6000), mixed('load', 200)), 16);
    await everyJobCompletedOnce('four replicas', deployment);
    expect(client.serverErrors()).toBe(0);
    // Both workers and both REST workers did their share.
    const { rows: completedBy } = await db.client.query<{ worker_id: string }>(
      `SELECT DISTINCT e.worker_id FROM job_events e JOIN jobs j ON j.id = e.job_id
       WHERE j.queue = 'default' AND e.to_status = 'completed'`,
    );
    for (const worker of replicas.workers) {
      expect(completedBy.some((row) => row.worker_id.includes(`:${String(worker.pid)}:`))).toBe(true);
    }
    const { rows: restPids } = await db.client.query('SELECT DISTINCT pid FROM chaos_rest_effects');
    expect(restPids).toHaveLength(replicas.restWorkers.length);
    expect(replicas.unexpected).toEqual([]);
  }));

/** A stats answer's counts by queue, only those above zero. */
function countsByQueue(stats: unknown): Record<string, Record<string, number>> {
  const { queues } = stats as { queues: { queue: string; counts: Record<string, number> }[] };
  return Object.fromEntries(
    queues.map(({ queue, counts }) => [
      queue,
      Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0)),
    ]),
  );
}

it('answers the same stats from either api replica, and they are the jobs the database holds', () =>
  explained(async (deployment) => {
    const { db, replicas, client } = deployment;
    await client.submitAll(jobs(scaled(150, 1500), mixed('stats', 50)), 8);
    await everyJobCompletedOnce('stats', deployment);
    const answers = await Promise.all(replicas.apiUrls.map((url) => send(url, 'GET', '/v1/stats')));
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
    const { rows } = await db.client.query<{ queue: string; status: string; n: number }>(
      `SELECT queue, status, count(*)::int AS n FROM jobs WHERE namespace = 'default' GROUP BY queue, status`,
    );
    const held: Record<string, Record<string, number>> = {};
    for (const row of rows) held[row.queue] = { ...held[row.queue], [row.status]: row.n };
    for (const answer of answers) expect(countsByQueue(answer.body)).toEqual(held);
  }));

it('moves the jobs of a killed worker to the other worker', () =>
  explained(async (deployment) => {
    const { db, replicas, client } = deployment;
    const [victim, survivor] = replicas.workers;
    if (victim === undefined || survivor === undefined) throw new Error('two workers expected');
    const victimId = `:${String(victim.pid)}:`;
    const held = `SELECT id FROM jobs WHERE status = 'processing' AND worker_id LIKE '%' || $1 || '%'`;
    await client.submitAll(
      jobs(scaled(40, 400), (n) => ({
        key: `kill-${n}`,
        type: 'sleep',
        queue: 'default',
        payload: { ms: 3000 },
      })),
      8,
    );
    await eventually(async () => {
      expect((await db.client.query(held, [victimId])).rowCount).toBeGreaterThan(0);
    }, 30_000);
    victim.kill(false);
    // Back afterwards, whatever happens here: the next test wants both workers.
    try {
      await eventually(() => {
        expect(victim.pid).toBeUndefined();
      });
      // What it held when it died: it can finish nothing now, and its leases have not run out yet.
      const orphans = (await db.client.query<{ id: string }>(held, [victimId])).rows.map((row) => row.id);
      expect(orphans.length).toBeGreaterThan(0);
      await everyJobCompletedOnce('worker killed', deployment);
      // Each was completed by the other worker, in a second attempt, once its lease ran out.
      const { rows } = await db.client.query<{ attempts: number; worker_id: string }>(
        `SELECT j.attempts, e.worker_id FROM jobs j JOIN job_events e ON e.job_id = j.id
         WHERE j.id = ANY ($1) AND e.to_status = 'completed'`,
        [orphans],
      );
      expect(rows).toHaveLength(orphans.length);
      for (const row of rows) {
        expect(row.worker_id).toContain(`:${String(survivor.pid)}:`);
        expect(row.attempts).toBe(2);
      }
    } finally {
      await victim.start();
    }
  }));

/** Jobs handed back by a draining worker so far: moves from processing back to pending. */
async function released(db: TestDatabase): Promise<number> {
  const { rows } = await db.client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM job_events WHERE from_status = 'processing' AND to_status = 'pending'`,
  );
  return rows[0]?.n ?? 0;
}

it('loses nothing and answers no 5xx through a rolling restart, one replica at a time', () =>
  explained(async (deployment) => {
    const { db, replicas, client } = deployment;
    const startsBefore = replicas.replicas.map((replica) => replica.starts);
    const releasedBefore = await released(db);
    const endings: Ending[] = [];
    const restart = (async () => {
      for (const replica of replicas.replicas) {
        await delay(scaled(500, 3000));
        endings.push(await replica.stop(30_000));
        await replica.start();
      }
    })();
    // Steady load all along (2 lanes, each a request every 100 ms or so), with sleeps of up to 3 s,
    // beyond the workers' drain (1 s): a stopping worker hands the longer ones back.
    await client.submitWhile(restart, mixed('rolling', 3000), 2, scaled(20_000, 200_000), 100);
    await restart;
    await everyJobCompletedOnce('rolling restart', deployment);
    // Stopping workers handed running jobs back, and they ran again elsewhere.
    expect(await released(db)).toBeGreaterThan(releasedBefore);
    // A client that retries on 503 and refused connections never saw a 5xx.
    expect(client.serverErrors()).toBe(0);
    // Each replica drained and exited 0 on SIGTERM, came back once, and none crashed or logged an error.
    expect(endings).toEqual(replicas.replicas.map(() => 0));
    expect(replicas.replicas.map((replica) => replica.starts)).toEqual(startsBefore.map((n) => n + 1));
    expect(replicas.crashes).toBe(0);
    expect(replicas.unexpected).toEqual([]);
  }));
