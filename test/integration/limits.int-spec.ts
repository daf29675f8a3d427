import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ClaimJobCommand, CompleteJobCommand, ListQueuesQuery, SetQueueLimitsCommand } from '#conveyor/jobs';
import type { Instance } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { instanceSuite, submitJob } from '../support/instance-suite.js';
import { insertJobRows } from '../support/job-rows.js';

// Concurrency limits across the cluster (docs/queues.md), enforced by the claim statement for
// in-process handlers and REST workers alike.

const suite = instanceSuite({ CONVEYOR_POLL_INTERVAL_MS: '20' });

function cluster(size: number, env: Record<string, string> = {}): Promise<Instance[]> {
  return Promise.all(Array.from({ length: size }, () => suite.start(env)));
}

const bus = (on: Instance) => on.app.get(CommandBus);
const submit = submitJob;

function claim(on: Instance, queue: string, limit: number, types: string[] | null = null) {
  return bus(on).execute(
    new ClaimJobCommand({ namespace: 'default', queue, types, limit, leaseSeconds: 30, workerId: 'rest' }),
  );
}

async function running(queue: string): Promise<number> {
  const { rows } = await suite.db.client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM jobs WHERE queue = $1 AND status = 'processing'`,
    [queue],
  );
  return rows[0]!.n;
}

describe('a global concurrency limit', () => {
  it('holds across three instances and a REST worker at once, sampled from the database', async () => {
    const nodes = await cluster(3);
    const [first] = nodes;
    await bus(first!).execute(
      new SetQueueLimitsCommand('default', 'default', null, { concurrency: 5, perKey: null, rate: null }),
    );
    // 60 in-process jobs (20 slots per instance), and 20 of a type only the REST worker takes.
    await Promise.all([
      ...Array.from({ length: 60 }, (_, n) =>
        submit(first!, { type: 'test.effect', payload: { n, holdMs: 60 } }),
      ),
      ...Array.from({ length: 20 }, (_, n) => submit(first!, { type: 'rest.kind', payload: { n } })),
    ]);
    let most = 0;
    const sampling = new AbortController();
    const sampler = (async () => {
      while (!sampling.signal.aborted) {
        most = Math.max(most, await running('default'));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const restWorker = (async () => {
      for (let done = 0, rounds = 0; done < 20 && rounds < 2_000; rounds += 1) {
        const jobs = await claim(first!, 'default', 3, ['rest.kind']);
        await new Promise((resolve) => setTimeout(resolve, 30));
        await Promise.all(
          jobs.map((job) =>
            bus(first!).execute(new CompleteJobCommand('default', job.id, job.leaseToken, null)),
          ),
        );
        done += jobs.length;
        if (jobs.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    await restWorker;
    await eventually(async () => {
      const { rows } = await suite.db.client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM jobs WHERE status = 'completed'`,
      );
      expect(rows[0]!.n).toBe(80);
    }, 30_000);
    sampling.abort();
    await sampler;
    expect(most).toBeLessThanOrEqual(5);
    expect(most).toBeGreaterThanOrEqual(4); // the limit is a ceiling, not a throttle
  });

  it('starts the next job as soon as a slot frees, without waiting for a poll', async () => {
    const [first] = await cluster(2, { CONVEYOR_POLL_INTERVAL_MS: '30000' });
    await bus(first!).execute(
      new SetQueueLimitsCommand('default', 'default', null, { concurrency: 1, perKey: null, rate: null }),
    );
    const started = Date.now();
    const jobs = await Promise.all(
      Array.from({ length: 5 }, (_, n) =>
        submit(first!, { type: 'test.effect', payload: { n, holdMs: 100 } }),
      ),
    );
    await eventually(async () => {
      const { rows } = await suite.db.client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM jobs WHERE id = ANY ($1::uuid[]) AND status = 'completed'`,
        [jobs.map(({ job }) => job.id)],
      );
      expect(rows[0]!.n).toBe(5);
    }, 10_000);
    // One at a time, each claimed when the one before frees its slot: far less than one 30 s poll.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('per type: the other types of the queue take the rest', async () => {
    const [api] = await cluster(1, { CONVEYOR_ROLE: 'api' });
    await bus(api!).execute(
      new SetQueueLimitsCommand('default', 'typed', 'slow.kind', {
        concurrency: 2,
        perKey: null,
        rate: null,
      }),
    );
    for (const type of ['slow.kind', 'fast.kind'])
      await Promise.all(
        Array.from({ length: 5 }, (_, n) => submit(api!, { type, queue: 'typed', payload: { n } })),
      );
    const first = await claim(api!, 'typed', 10);
    expect(first.filter((job) => job.type === 'slow.kind')).toHaveLength(2);
    expect(first.filter((job) => job.type === 'fast.kind')).toHaveLength(5);
    expect(await claim(api!, 'typed', 10)).toEqual([]);
    const { queues } = await api!.app.get(QueryBus).execute(new ListQueuesQuery('default', 'typed'));
    expect(queues[0]).toMatchObject({ typeLimits: [{ type: 'slow.kind', concurrencyLimit: 2 }] });
  });
});

describe('a rate limit', () => {
  it('lets at most its bucket start at once, then refills, and says when the next may start', async () => {
    const [api] = await cluster(1, { CONVEYOR_ROLE: 'api' });
    const rate = { limit: 5, periodSeconds: 1 };
    await bus(api!).execute(
      new SetQueueLimitsCommand('default', 'rated', null, { concurrency: null, perKey: null, rate }),
    );
    await Promise.all(
      Array.from({ length: 20 }, (_, n) => submit(api!, { type: 'r', queue: 'rated', payload: { n } })),
    );
    expect(await claim(api!, 'rated', 20)).toHaveLength(5);
    expect(await claim(api!, 'rated', 20)).toEqual([]);
    const { queues } = await api!.app.get(QueryBus).execute(new ListQueuesQuery('default', 'rated'));
    expect(queues[0]!.rateLimit).toMatchObject(rate);
    expect(queues[0]!.rateLimit!.nextStartInSeconds).toBeGreaterThan(0);
    expect(queues[0]!.rateLimit!.nextStartInSeconds).toBeLessThanOrEqual(0.2);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await claim(api!, 'rated', 20)).toHaveLength(5);
  });

  it('paces in-process handlers on three instances to the rate, across the cluster', async () => {
    const nodes = await cluster(3);
    await bus(nodes[0]!).execute(
      new SetQueueLimitsCommand('default', 'default', 'test.effect', {
        concurrency: null,
        perKey: null,
        rate: { limit: 10, periodSeconds: 1 },
      }),
    );
    const jobs = await Promise.all(
      Array.from({ length: 30 }, (_, n) => submit(nodes[0]!, { type: 'test.effect', payload: { n } })),
    );
    const ids = jobs.map(({ job }) => job.id);
    await eventually(async () => {
      const { rows } = await suite.db.client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM jobs WHERE id = ANY ($1::uuid[]) AND status = 'completed'`,
        [ids],
      );
      expect(rows[0]!.n).toBe(30);
    }, 15_000);
    // A full bucket of 10 at once, then 10 a second: the 30th start is about 2 s after the first.
    const { rows } = await suite.db.client.query<{ span: number }>(
      `SELECT extract(epoch FROM max(claimed_at) - min(claimed_at))::float8 AS span FROM jobs WHERE id = ANY ($1::uuid[])`,
      [ids],
    );
    expect(rows[0]!.span).toBeGreaterThanOrEqual(1.8);
    expect(rows[0]!.span).toBeLessThan(6);
  });
});

describe('a per-key limit', () => {
  it("lets every key's first job start ahead of a hot key's older backlog, and holds the hot key to it", async () => {
    const [api] = await cluster(1, { CONVEYOR_ROLE: 'api' });
    await bus(api!).execute(
      new SetQueueLimitsCommand('default', 'keyed', null, { concurrency: null, perKey: 1, rate: null }),
    );
    // The hot key's 100 jobs are all older than the other 99 keys' one each.
    for (let n = 0; n < 100; n += 1) {
      await submit(api!, { type: 'k', queue: 'keyed', payload: { hot: n }, concurrencyKey: 'hot' });
    }
    await Promise.all(
      Array.from({ length: 99 }, (_, n) =>
        submit(api!, { type: 'k', queue: 'keyed', payload: { n }, concurrencyKey: `customer-${n}` }),
      ),
    );
    const claimed = await claim(api!, 'keyed', 100);
    const keys = claimed.map((job) => job.concurrencyKey);
    expect(new Set(keys).size).toBe(100);
    expect(keys.filter((key) => key === 'hot')).toHaveLength(1);
    // Every key is at its limit now, the hot one included.
    expect(await claim(api!, 'keyed', 100)).toEqual([]);
    const hot = claimed.find((job) => job.concurrencyKey === 'hot')!;
    await bus(api!).execute(new CompleteJobCommand('default', hot.id, hot.leaseToken, null));
    const next = await claim(api!, 'keyed', 100);
    expect(next.map((job) => job.concurrencyKey)).toEqual(['hot']);
    expect(await running('keyed')).toBe(100);
    const { queues } = await api!.app.get(QueryBus).execute(new ListQueuesQuery('default', 'keyed'));
    expect(queues[0]).toMatchObject({ concurrencyLimit: null, keyConcurrencyLimit: 1 });
  });

  it('finds the other keys behind a hot backlog longer than the window a claim reads', async () => {
    const [api] = await cluster(1, { CONVEYOR_ROLE: 'api' });
    await bus(api!).execute(
      new SetQueueLimitsCommand('default', 'deep', null, { concurrency: null, perKey: 1, rate: null }),
    );
    // 1,500 jobs of one key first in line (a claim reads a window of 1,000), none of them running.
    await insertJobRows(suite.db.client, {
      status: 'pending',
      queue: 'deep',
      count: 1500,
      priority: 1,
      concurrencyKey: 'hot',
    });
    for (let n = 0; n < 30; n += 1) {
      await insertJobRows(suite.db.client, {
        status: 'pending',
        queue: 'deep',
        concurrencyKey: `customer-${n}`,
      });
    }
    // Claims in turn, each while nothing of the hot key runs: every key gets its first job.
    const seen = new Set<string | null>();
    for (let round = 0; round < 3; round += 1) {
      const claimed = await claim(api!, 'deep', 20);
      expect(claimed.filter((job) => job.concurrencyKey === 'hot')).toHaveLength(1);
      for (const job of claimed) {
        seen.add(job.concurrencyKey);
        if (job.concurrencyKey === 'hot') {
          await bus(api!).execute(new CompleteJobCommand('default', job.id, job.leaseToken, null));
        }
      }
    }
    expect(seen.size).toBe(31);
  });
});
