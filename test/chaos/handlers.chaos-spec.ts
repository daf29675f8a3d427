import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { ACCOUNTS, CHAOS_QUEUE } from './support/chaos-handlers.js';
import { ChaosClient, type JobSpec } from './support/client.js';
import { LEASE_SECONDS, pick } from './support/cluster.js';
import { between, inScenario, scaled, settledAndChecked } from './support/scenario.js';

// Handlers that misbehave: slow ones that hold every connection, zombies that ignore their abort
// signal, a process frozen past its leases, transactions that deadlock or fail to serialize, and a
// job that takes its process down on every attempt.

function jobs(count: number, make: (n: number) => Omit<JobSpec, 'key'>, prefix = 'job'): JobSpec[] {
  return Array.from({ length: count }, (_, n) => ({ key: `${prefix}-${n}`, ...make(n) }));
}

async function scalar(url: string, sql: string, values: unknown[] = []): Promise<number> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const { rows } = await db.query<{ n: number }>(sql, values);
    return rows[0]?.n ?? 0;
  } finally {
    await db.end();
  }
}

it('keeps heartbeats, the reaper and the API going while slow handlers want more connections than the pool has', async () => {
  // Pool of 6; 16 handlers at once, each holding a transaction for 1.5 leases.
  await inScenario({ instances: 1, env: { CONVEYOR_DB_POOL_SIZE: '6' } }, async ({ db, cluster }) => {
    const client = new ChaosClient(cluster.urls);
    const slow = jobs(scaled(16, 64), (n) => ({
      type: 'chaos.slow-transaction',
      queue: CHAOS_QUEUE,
      payload: { n, holdMs: LEASE_SECONDS * 1500 },
    }));
    await client.submitAll(slow, 4);
    const holding = `SELECT count(*)::int AS n FROM jobs WHERE type = 'chaos.slow-transaction' AND status = 'processing'`;
    for (let n = 0; n < 100 && (await scalar(db.ownerUrl, holding)) < 16; n += 1) await delay(100);
    // Every handler slot is busy and the pool is spoken for: the API must still take submits.
    const quick = jobs(50, (n) => ({ type: 'chaos.effect', queue: CHAOS_QUEUE, payload: { n } }), 'quick');
    await client.submitAll(quick, 8);
    const outcome = await settledAndChecked(
      'pool exhaustion',
      db,
      client,
      slow.length + quick.length,
      scaled(120_000, 600_000),
    );
    expect(client.serverErrors()).toBe(0);
    expect(client.answers.get(503)).toBeUndefined();
    expect(outcome.completed).toBe(slow.length + quick.length);
    // No lease expired while its handler was alive: every job ran exactly once.
    expect(outcome.retries).toBe(0);
  });
});

it('takes no effect from a zombie handler that ignores its abort signal and writes after its attempt is over', async () => {
  await inScenario({ instances: 2 }, async ({ db, cluster }) => {
    const client = new ChaosClient(cluster.urls);
    const specs = jobs(scaled(200, 2000), (n) => ({
      type: 'chaos.zombie',
      queue: CHAOS_QUEUE,
      payload: { n },
    }));
    await client.submitAll(specs, 8);
    const outcome = await settledAndChecked(
      'zombie handlers',
      db,
      client,
      specs.length,
      scaled(120_000, 600_000),
    );
    expect(outcome.completed).toBe(specs.length);
    // Attempts did time out, and their zombies wrote late: none of it counted.
    expect(outcome.retries).toBeGreaterThan(0);
  });
});

it('takes no effect from a process frozen past its leases when it wakes up', async () => {
  await inScenario({ instances: 2 }, async ({ db, cluster }) => {
    const client = new ChaosClient(cluster.urls);
    const specs = jobs(scaled(32, 320), (n) => ({
      type: 'chaos.effect',
      queue: CHAOS_QUEUE,
      payload: { n, holdMs: 1500 },
    }));
    await client.submitAll(specs, 8);
    const victim = pick(cluster.instances);
    const held = `SELECT count(*)::int AS n FROM jobs WHERE status = 'processing' AND worker_id LIKE $1`;
    for (let n = 0; n < 100 && (await scalar(db.ownerUrl, held, [`%:${victim.pid}:%`])) === 0; n += 1) {
      await delay(50);
    }
    victim.freeze();
    // Its leases run out and another instance re-runs its jobs while it sleeps.
    await delay(LEASE_SECONDS * 3000);
    victim.thaw();
    const outcome = await settledAndChecked(
      'frozen instance',
      db,
      client,
      specs.length,
      scaled(120_000, 600_000),
    );
    expect(outcome.completed).toBe(specs.length);
    expect(outcome.retries).toBeGreaterThan(0);
    expect(cluster.crashes).toBe(0);
  });
});

it('retries attempts that deadlock or fail to serialize, and every completed transfer counts once', async () => {
  await inScenario({ instances: 2 }, async ({ db, cluster }) => {
    const client = new ChaosClient(cluster.urls);
    const specs = jobs(scaled(100, 1000), (n) => {
      const from = between(1, ACCOUNTS + 1);
      const to = ((from + between(0, ACCOUNTS - 1)) % ACCOUNTS) + 1;
      return {
        type: 'chaos.transfer',
        queue: CHAOS_QUEUE,
        payload: { n, from, to, serializable: n % 2 === 0 },
      };
    });
    await client.submitAll(specs, 8);
    const outcome = await settledAndChecked(
      'deadlocks and serialization failures',
      db,
      client,
      specs.length,
      scaled(180_000, 900_000),
    );
    expect(outcome.completed).toBe(specs.length);
    // Each completed transfer added 1 to two accounts, and nothing else did.
    expect(await scalar(db.ownerUrl, 'SELECT sum(balance)::int AS n FROM chaos_accounts')).toBe(
      2 * specs.length,
    );
    // The faults happened: attempts failed with both errors.
    const failedWith = (text: string) =>
      scalar(db.ownerUrl, `SELECT count(*)::int AS n FROM job_events WHERE error LIKE $1`, [`%${text}%`]);
    expect(await failedWith('deadlock detected')).toBeGreaterThan(0);
    expect(await failedWith('could not serialize')).toBeGreaterThan(0);
  });
});

it('dead-letters a job that takes its process down on every attempt, and the rest still complete', async () => {
  await inScenario({ instances: 2 }, async ({ db, cluster }) => {
    const client = new ChaosClient(cluster.urls);
    const specs = [
      { key: 'poison', type: 'chaos.poison', queue: CHAOS_QUEUE, payload: {} },
      ...jobs(scaled(100, 1000), (n) => ({
        type: 'chaos.effect',
        queue: CHAOS_QUEUE,
        payload: { n, holdMs: between(0, 100) },
      })),
    ];
    await client.submitAll(specs, 8);
    const outcome = await settledAndChecked('poison job', db, client, specs.length, scaled(120_000, 600_000));
    expect(outcome.completed).toBe(specs.length - 1);
    expect(outcome.deadLetter).toBe(1);
    const poison = client.acknowledged.get('poison');
    expect(
      await scalar(db.ownerUrl, `SELECT attempts AS n FROM jobs WHERE id = $1 AND status = 'dead_letter'`, [
        poison,
      ]),
    ).toBe(3);
    // One crash per attempt, and the supervisor brought each instance back.
    expect(cluster.crashes).toBe(3);
  });
});
