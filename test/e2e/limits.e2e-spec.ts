import type { App } from 'supertest/types.js';
import { apiClient, type Instance, startInstance, startTestApp, type TestApp } from '../support/app.js';
import { expectProblem } from '../support/problem.js';

// Per-key token buckets (429 + Retry-After), lease holders never throttled, and the per-namespace
// cap on waiting jobs.

let t: TestApp;
const admin = () => apiClient(t.server);

beforeAll(async () => {
  t = await startTestApp({ CONVEYOR_ROLE: 'api' });
});
afterAll(async () => {
  await t.close();
});

async function createKey(body: Record<string, unknown>): Promise<string> {
  const response = await admin().post('/v1/admin/api-keys').send(body).expect(201);
  return (response.body as { key: string }).key;
}

async function jobsIn(namespace: string): Promise<number> {
  const { rows } = await t.db.client.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM jobs WHERE namespace = $1',
    [namespace],
  );
  return rows[0]!.n;
}

describe('rate limits', () => {
  it('answer 429 with Retry-After once a key spends its submit bucket, and write nothing for it', async () => {
    const key = await createKey({
      name: 'slow',
      namespace: 'slow',
      scopes: ['jobs:submit'],
      submitPerSecond: 5,
    });
    const client = apiClient(t.server, key);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, n) => client.post('/v1/jobs').send({ type: 'limited', payload: { n } })),
    );
    const accepted = responses.filter((response) => response.status === 201);
    const refused = responses.filter((response) => response.status === 429);
    // A bucket holds one second's worth; a few more tokens may drip in while the burst runs.
    expect(accepted.length).toBeGreaterThanOrEqual(5);
    expect(accepted.length).toBeLessThanOrEqual(7);
    expect(accepted.length + refused.length).toBe(20);
    for (const response of refused) {
      expectProblem(response, 429, 'rate-limited');
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    expect(await jobsIn('slow')).toBe(accepted.length);
  });

  it('limit reads on their own bucket', async () => {
    const key = await createKey({
      name: 'reader',
      namespace: 'slow-reader',
      scopes: ['jobs:read', 'jobs:submit'],
      readPerSecond: 2,
    });
    const client = apiClient(t.server, key);
    const statuses = [];
    for (let n = 0; n < 4; n += 1) statuses.push((await client.get('/v1/stats')).status);
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(statuses).toContain(429);
    // Submits draw on the other bucket.
    await client.post('/v1/jobs').send({ type: 'still-fine', payload: {} }).expect(201);
  });

  it('never throttle complete, fail or heartbeat for a lease the caller holds', async () => {
    const key = await createKey({
      name: 'worker',
      namespace: 'busy',
      scopes: ['jobs:submit', 'jobs:work', 'jobs:read'],
      submitPerSecond: 3,
      readPerSecond: 1,
    });
    const client = apiClient(t.server, key);
    for (let n = 0; n < 3; n += 1) {
      await client.post('/v1/jobs').send({ type: 'w', queue: 'busy', payload: { n } }).expect(201);
    }
    // Both buckets are now empty.
    expectProblem(
      await client.post('/v1/jobs').send({ type: 'w', queue: 'busy', payload: {} }),
      429,
      'rate-limited',
    );
    await client.get('/v1/stats').expect(200);
    expectProblem(await client.get('/v1/stats'), 429, 'rate-limited');

    const claim = await client.post('/v1/jobs/claim').send({ queue: 'busy', limit: 3 }).expect(200);
    const [first, second, third] = (claim.body as { jobs: { id: string; leaseToken: string }[] }).jobs;
    const settled = await Promise.all([
      ...Array.from({ length: 10 }, () =>
        client.post(`/v1/jobs/${first!.id}/heartbeat`).send({ leaseToken: first!.leaseToken }),
      ),
      client.post(`/v1/jobs/${second!.id}/fail`).send({ leaseToken: second!.leaseToken, error: 'nope' }),
      client.post(`/v1/jobs/${third!.id}/complete`).send({ leaseToken: third!.leaseToken }),
    ]);
    expect(settled.map((response) => response.status)).toEqual(Array.from({ length: 12 }, () => 200));
    await client.post(`/v1/jobs/${first!.id}/complete`).send({ leaseToken: first!.leaseToken }).expect(200);
  });
});

describe('CONVEYOR_MAX_PENDING_PER_NAMESPACE', () => {
  let capped: Instance;
  let server: App;
  beforeAll(async () => {
    capped = await startInstance(t.db.url, { CONVEYOR_ROLE: 'api', CONVEYOR_MAX_PENDING_PER_NAMESPACE: '3' });
    server = capped.app.getHttpServer() as App;
  });
  afterAll(async () => {
    await capped.close();
  });

  it('refuses submits past the cap with 429, still replays known keys, and leaves other namespaces alone', async () => {
    const full = await createKey({ name: 'full', namespace: 'full', scopes: ['jobs:submit', 'jobs:work'] });
    const client = apiClient(server, full);
    for (let n = 0; n < 3; n += 1) {
      await client
        .post('/v1/jobs')
        .send({ type: 'capped', queue: 'full', payload: { n }, idempotencyKey: `k${n}` })
        .expect(201);
    }
    const refused = await client.post('/v1/jobs').send({ type: 'capped', queue: 'full', payload: { n: 3 } });
    expectProblem(refused, 429, 'namespace-full');
    expect(refused.headers['retry-after']).toBeDefined();
    expect(await jobsIn('full')).toBe(3);

    // A retry of a submit that went through is answered as usual.
    const replay = await client
      .post('/v1/jobs')
      .send({ type: 'capped', queue: 'full', payload: { n: 0 }, idempotencyKey: 'k0' })
      .expect(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');

    const other = await createKey({ name: 'other', namespace: 'not-full', scopes: ['jobs:submit'] });
    await apiClient(server, other).post('/v1/jobs').send({ type: 'capped', payload: {} }).expect(201);

    // Finishing a job makes room again.
    const claim = await client.post('/v1/jobs/claim').send({ queue: 'full' }).expect(200);
    const [job] = (claim.body as { jobs: { id: string; leaseToken: string }[] }).jobs;
    await client.post(`/v1/jobs/${job!.id}/complete`).send({ leaseToken: job!.leaseToken }).expect(200);
    await client
      .post('/v1/jobs')
      .send({ type: 'capped', queue: 'full', payload: { n: 4 } })
      .expect(201);
  });
});
