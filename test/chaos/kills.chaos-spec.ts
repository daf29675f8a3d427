import { CHAOS_QUEUE, REST_QUEUE } from './support/chaos-handlers.js';
import { ChaosClient, type JobSpec } from './support/client.js';
import { pick } from './support/cluster.js';
import { between, inScenario, repeatedly, scaled, settledAndChecked } from './support/scenario.js';

// kill -9, at random points, of the instances that take submits and run handlers, and of workers
// that claim over REST. Whatever was acknowledged exists once, ends once, and took effect once.

function jobs(count: number, make: (n: number) => Omit<JobSpec, 'key'>): JobSpec[] {
  return Array.from({ length: count }, (_, n) => ({ key: `job-${n}`, ...make(n) }));
}

it('loses no acknowledged job and runs none twice in effect when instances are killed at random points', async () => {
  await inScenario({ instances: 3 }, async ({ db, cluster }) => {
    const client = new ChaosClient(cluster.urls);
    const specs = jobs(scaled(800, 8000), (n) => ({
      type: 'chaos.effect',
      queue: CHAOS_QUEUE,
      payload: { n, holdMs: between(0, 300) },
    }));
    const submitted = client.submitAll(specs, 16);
    await repeatedly(scaled(5, 40), 500, 1500, async () => {
      const victim = pick(cluster.instances);
      await victim.whenReady();
      victim.kill();
    });
    await submitted;
    const outcome = await settledAndChecked(
      'instances killed',
      db,
      client,
      specs.length,
      scaled(120_000, 600_000),
    );
    expect(client.serverErrors()).toBe(0);
    expect(outcome.completed).toBe(specs.length);
    // The kills hit running jobs, which ran again.
    expect(outcome.retries).toBeGreaterThan(0);
    expect(cluster.crashes).toBe(0);
  });
});

it('settles every job once when REST workers (and an instance) are killed at random points', async () => {
  await inScenario({ instances: 2, restWorkers: 3 }, async ({ db, cluster }) => {
    const client = new ChaosClient(cluster.urls);
    const specs = jobs(scaled(600, 6000), (n) => ({
      type: 'chaos.rest',
      queue: REST_QUEUE,
      payload: { n },
      maxAttempts: 25,
    }));
    const submitted = client.submitAll(specs, 8);
    const kills = scaled(8, 80);
    await repeatedly(kills, 200, 800, async (n) => {
      const victim = n === Math.floor(kills / 2) ? pick(cluster.instances) : pick(cluster.restWorkers);
      await victim.whenReady();
      victim.kill();
    });
    await submitted;
    const outcome = await settledAndChecked(
      'REST workers killed',
      db,
      client,
      specs.length,
      scaled(120_000, 600_000),
    );
    expect(cluster.unexpected).toEqual([]);
    // The kills hit work in flight: leases that ran out, or acknowledgements sent again from the
    // journal after a restart.
    const replayed = await db.client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM jobs WHERE result->>'by' = 'journal'`,
    );
    expect(outcome.retries + replayed.rows[0]!.n).toBeGreaterThan(0);
    expect(client.serverErrors()).toBe(0);
    expect(outcome.completed).toBe(specs.length);
    expect(cluster.crashes).toBe(0);
  });
});
