import { setTimeout as delay } from 'node:timers/promises';
import { OwnPostgres } from '../support/own-postgres.js';
import { CHAOS_QUEUE } from './support/chaos-handlers.js';
import { ChaosClient, type JobSpec } from './support/client.js';
import { between, inScenario, repeatedly, scaled, settledAndChecked } from './support/scenario.js';

// PostgreSQL restarted, its postmaster killed, the service's connections terminated by the server,
// all under load. Submits in the meantime get 503 with Retry-After, never a 500; no instance is
// restarted; once PostgreSQL is back, everything resumes by itself and the invariants hold.
// A PostgreSQL of this file's own, which it can stop and kill.

let postgres: OwnPostgres;
beforeAll(async () => {
  postgres = await OwnPostgres.start('chaos');
}, 120_000);
afterAll(async () => {
  await postgres.dispose();
});

const effect = (n: number): JobSpec => ({
  key: `job-${n}`,
  type: 'chaos.effect',
  queue: CHAOS_QUEUE,
  payload: { n, holdMs: between(0, 20) },
});

it('answers 503, never 500, while PostgreSQL restarts or its postmaster is killed, and resumes without a restart', async () => {
  await inScenario({ server: postgres.serverUrl, instances: 2 }, async ({ db, cluster }) => {
    const client = new ChaosClient(cluster.urls);
    const faults = repeatedly(scaled(1, 6), 1000, 2000, async () => {
      // A clean restart: PostgreSQL refuses new work, ends sessions, comes back.
      await postgres.stop();
      await delay(between(500, 2000));
      await postgres.restart();
      await delay(between(1000, 2000));
      // The postmaster killed outright; its supervisor starts it again (crash recovery).
      const revivals = postgres.log.length;
      postgres.killPostmaster();
      for (let n = 0; n < 600 && postgres.log.length === revivals; n += 1) await delay(100);
      expect(postgres.log.length).toBe(revivals + 1);
    });
    await client.submitWhile(faults, effect, 8, scaled(3_000, 200_000));
    await faults;
    const outcome = await settledAndChecked(
      'PostgreSQL restarted and killed',
      db,
      client,
      client.acknowledged.size,
      scaled(120_000, 600_000),
    );
    expect(client.serverErrors()).toBe(0);
    expect(client.answers.get(503)).toBeGreaterThan(0);
    expect(outcome.completed).toBe(client.acknowledged.size);
    // Nothing had to be restarted for the service to come back.
    expect(cluster.crashes).toBe(0);
    for (const instance of cluster.instances) expect(instance.starts).toBe(1);
  });
});

it('answers 503, never 500, when the server terminates the service’s connections, and resumes', async () => {
  await inScenario({ server: postgres.serverUrl, instances: 2 }, async ({ db, cluster }) => {
    const client = new ChaosClient(cluster.urls);
    const faults = repeatedly(scaled(15, 150), 100, 500, async () => {
      await db.terminateConnections();
    });
    await client.submitWhile(faults, effect, 8, scaled(3_000, 200_000));
    await faults;
    const outcome = await settledAndChecked(
      'connections terminated',
      db,
      client,
      client.acknowledged.size,
      scaled(120_000, 600_000),
    );
    expect(client.serverErrors()).toBe(0);
    expect(outcome.completed).toBe(client.acknowledged.size);
    expect(cluster.crashes).toBe(0);
    for (const instance of cluster.instances) expect(instance.starts).toBe(1);
  });
});
