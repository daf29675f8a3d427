import { apiClient, startTestApp, type TestApp } from '../support/app.js';
import { expectProblem } from '../support/problem.js';

// POST /v1/jobs/batch and POST /v1/jobs/ack: the batch forms of submit, complete and fail.

let t: TestApp;
const api = () => apiClient(t.server);

beforeAll(async () => {
  // Unlimited by default: the big batches here would empty a 1,000/s bucket.
  t = await startTestApp({ CONVEYOR_ROLE: 'api', CONVEYOR_RATE_LIMIT_SUBMIT: '0' });
});
afterAll(async () => {
  await t.close();
});

async function jobCount(queue: string): Promise<number> {
  const { rows } = await t.db.client.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM jobs WHERE queue = $1',
    [queue],
  );
  return rows[0]!.n;
}

interface Item {
  status: number;
  id?: string;
  problem?: { type: string };
}

describe('POST /v1/jobs/batch', () => {
  it('gives each job its own idempotency outcome, in the order sent', async () => {
    await api()
      .post('/v1/jobs')
      .send({ type: 'b', queue: 'batch', payload: { n: 0 }, idempotencyKey: 'existing' })
      .expect(201);
    const response = await api()
      .post('/v1/jobs/batch')
      .send({
        jobs: [
          { type: 'b', queue: 'batch', payload: { n: 1 }, idempotencyKey: 'new-1' },
          { type: 'b', queue: 'batch', payload: { n: 0 }, idempotencyKey: 'existing' },
          { type: 'b', queue: 'batch', payload: { n: 2 }, idempotencyKey: 'existing' },
          { type: 'b', queue: 'batch', payload: { n: 3 }, idempotencyKey: 'twice' },
          { type: 'b', queue: 'batch', payload: { n: 3 }, idempotencyKey: 'twice' },
        ],
      })
      .expect(200);
    const items = (response.body as { jobs: Item[] }).jobs;
    expect(items.map((item) => item.status)).toEqual([201, 200, 422, 201, 200]);
    expect(items[2]!.problem!.type).toBe('urn:conveyor:problem:idempotency-key-reused');
    expect(items[3]!.id).toBe(items[4]!.id);
    expect(await jobCount('batch')).toBe(3);
  });

  it('takes 1,000 jobs in one call', async () => {
    const jobs = Array.from({ length: 1000 }, (_, n) => ({ type: 'bulk', queue: 'bulk', payload: { n } }));
    const response = await api().post('/v1/jobs/batch').send({ jobs }).expect(200);
    expect((response.body as { jobs: Item[] }).jobs.every((item) => item.status === 201)).toBe(true);
    expect(await jobCount('bulk')).toBe(1000);
  });

  it('refuses the whole batch when one job is invalid, naming it, and writes nothing', async () => {
    const response = await api()
      .post('/v1/jobs/batch')
      .send({
        jobs: [
          { type: 'ok', queue: 'refused-batch', payload: {} },
          { type: 'bad type', queue: 'refused-batch', payload: {} },
          {
            type: 'ok',
            queue: 'refused-batch',
            payload: {},
            backoff: { type: 'fixed', delayMs: 10, maxDelayMs: 1 },
          },
        ],
      });
    expectProblem(response, 400, 'validation-error');
    const fields = (response.body as { errors: { field: string }[] }).errors.map((error) => error.field);
    expect(fields).toContain('jobs.1.type');
    expect(await jobCount('refused-batch')).toBe(0);
    expectProblem(await api().post('/v1/jobs/batch').send({ jobs: [] }), 400, 'validation-error');
    const tooMany = Array.from({ length: 1001 }, () => ({ type: 'x', payload: {} }));
    expectProblem(await api().post('/v1/jobs/batch').send({ jobs: tooMany }), 400, 'validation-error');
  });

  it('draws one token per job from the key’s submit bucket', async () => {
    const created = await api()
      .post('/v1/admin/api-keys')
      .send({ name: 'batcher', namespace: 'batcher', scopes: ['jobs:submit'], submitPerSecond: 10 })
      .expect(201);
    const client = apiClient(t.server, (created.body as { key: string }).key);
    const jobs = Array.from({ length: 10 }, (_, n) => ({ type: 'x', payload: { n } }));
    await client.post('/v1/jobs/batch').send({ jobs }).expect(200);
    expectProblem(await client.post('/v1/jobs/batch').send({ jobs: jobs.slice(0, 1) }), 429, 'rate-limited');
  });
});

describe('POST /v1/jobs/ack', () => {
  it('completes and fails many held jobs at once, each fenced by its own lease', async () => {
    const jobs = Array.from({ length: 6 }, (_, n) => ({ type: 'w', queue: 'ack', payload: { n } }));
    await api().post('/v1/jobs/batch').send({ jobs }).expect(200);
    const claim = await api().post('/v1/jobs/claim').send({ queue: 'ack', limit: 6 }).expect(200);
    const held = (claim.body as { jobs: { id: string; leaseToken: string }[] }).jobs;
    expect(held).toHaveLength(6);
    const [a, b, c, d, e, f] = held as [
      (typeof held)[0],
      (typeof held)[0],
      (typeof held)[0],
      (typeof held)[0],
      (typeof held)[0],
      (typeof held)[0],
    ];

    const response = await api()
      .post('/v1/jobs/ack')
      .send({
        complete: [
          { id: a.id, leaseToken: a.leaseToken, result: { ok: true } },
          { id: b.id, leaseToken: b.leaseToken },
          { id: c.id, leaseToken: f.leaseToken }, // someone else's token
        ],
        fail: [
          { id: d.id, leaseToken: d.leaseToken, error: 'try again' },
          { id: e.id, leaseToken: e.leaseToken, error: 'never', retryable: false },
          { id: '00000000-0000-4000-8000-000000000000', leaseToken: f.leaseToken, error: 'x' },
        ],
      })
      .expect(200);
    const results = (
      response.body as { results: { id: string; outcome: string; problem?: { status: number } }[] }
    ).results;
    expect(results.map((result) => result.outcome)).toEqual([
      'completed',
      'completed',
      'refused',
      'failed',
      'dead_letter',
      'refused',
    ]);
    expect(results[2]!.problem!.status).toBe(409);
    expect(results[5]!.problem!.status).toBe(404);
    const { rows } = await t.db.client.query<{ id: string; status: string; result: unknown }>(
      'SELECT id, status, result FROM jobs WHERE queue = $1',
      ['ack'],
    );
    const status = new Map(rows.map((row) => [row.id, row.status]));
    expect([a, b, c, d, e, f].map((job) => status.get(job.id))).toEqual([
      'completed',
      'completed',
      'processing',
      'failed',
      'dead_letter',
      'processing',
    ]);
    expect(rows.find((row) => row.id === a.id)!.result).toEqual({ ok: true });
  });

  it('refuses an empty acknowledgement, or one naming a job twice (400)', async () => {
    expectProblem(await api().post('/v1/jobs/ack').send({}), 400, 'validation-error');
    const id = '00000000-0000-4000-8000-000000000001';
    const token = '00000000-0000-4000-8000-000000000002';
    expectProblem(
      await api()
        .post('/v1/jobs/ack')
        .send({ complete: [{ id, leaseToken: token }], fail: [{ id, leaseToken: token, error: 'x' }] }),
      400,
      'validation-error',
    );
  });
});

describe('POST /v1/jobs/release', () => {
  it('hands held jobs back, pending at once with the attempt not counted; only with their own lease', async () => {
    const jobs = Array.from({ length: 3 }, (_, n) => ({ type: 'w', queue: 'release', payload: { n } }));
    await api().post('/v1/jobs/batch').send({ jobs }).expect(200);
    const claim = await api().post('/v1/jobs/claim').send({ queue: 'release', limit: 3 }).expect(200);
    const [a, b, c] = (claim.body as { jobs: { id: string; leaseToken: string }[] }).jobs as [
      { id: string; leaseToken: string },
      { id: string; leaseToken: string },
      { id: string; leaseToken: string },
    ];
    const response = await api()
      .post('/v1/jobs/release')
      .send({
        jobs: [
          { id: a.id, leaseToken: a.leaseToken },
          { id: b.id, leaseToken: b.leaseToken },
          { id: c.id, leaseToken: a.leaseToken }, // not c's lease
        ],
      })
      .expect(200);
    expect(response.body).toEqual({ released: 2 });
    const { rows } = await t.db.client.query<{ id: string; status: string; attempts: number }>(
      'SELECT id, status, attempts FROM jobs WHERE queue = $1',
      ['release'],
    );
    const state = new Map(rows.map((row) => [row.id, `${row.status} ${row.attempts}`]));
    expect([a, b, c].map((job) => state.get(job.id))).toEqual(['pending 0', 'pending 0', 'processing 1']);
  });

  it('refuses an empty list (400)', async () => {
    expectProblem(await api().post('/v1/jobs/release').send({ jobs: [] }), 400, 'validation-error');
  });
});
