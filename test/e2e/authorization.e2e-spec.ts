import type request from 'supertest';
import { apiClient, startTestApp, type TestApp } from '../support/app.js';
import { expectProblem } from '../support/problem.js';

// Every /v1 endpoint × (no key, a key without the scope, a key of another namespace, the right key),
// and namespace isolation end to end. API role: no in-process worker competes for the jobs.

let t: TestApp;
const admin = () => apiClient(t.server);
const as = (key: string) => apiClient(t.server, key);

async function createKey(namespace: string, scopes: string[]): Promise<string> {
  const response = await admin()
    .post('/v1/admin/api-keys')
    .send({ name: `${namespace} ${scopes.join(' ')}`, namespace, scopes })
    .expect(201);
  return (response.body as { key: string }).key;
}

/** Team A's keys, one per scope, and team B's key holding every scope but admin. */
const keys = { submitA: '', readA: '', workA: '', jobsA: '', allA: '', allB: '' };
const EVERY_SCOPE = ['jobs:submit', 'jobs:read', 'jobs:work', 'queues:manage'];

beforeAll(async () => {
  t = await startTestApp({ CONVEYOR_ROLE: 'api' });
  keys.submitA = await createKey('team-a', ['jobs:submit']);
  keys.readA = await createKey('team-a', ['jobs:read']);
  keys.workA = await createKey('team-a', ['jobs:work']);
  keys.jobsA = await createKey('team-a', ['jobs:submit', 'jobs:read', 'jobs:work']);
  keys.allA = await createKey('team-a', EVERY_SCOPE);
  keys.allB = await createKey('team-b', EVERY_SCOPE);
});
afterAll(async () => {
  await t.close();
});

interface Job {
  id: string;
  status: string;
  leaseToken: string;
}

let queueSeq = 0;

/** A fresh team A job in its own queue, claimed (with a lease token) when asked. */
async function teamAJob(state: 'pending' | 'processing' | 'dead_letter'): Promise<Job & { queue: string }> {
  const queue = `q${(queueSeq += 1)}`;
  const submitted = await as(keys.allA)
    .post('/v1/jobs')
    .send({ type: 'matrix', queue, payload: {}, maxAttempts: 1 })
    .expect(201);
  const job = submitted.body as Job;
  if (state === 'pending') return { ...job, queue };
  const claim = await as(keys.allA).post('/v1/jobs/claim').send({ queue }).expect(200);
  const claimed = (claim.body as { jobs: Job[] }).jobs[0]!;
  if (state === 'dead_letter') {
    await as(keys.allA)
      .post(`/v1/jobs/${job.id}/fail`)
      .send({ leaseToken: claimed.leaseToken, error: 'boom', retryable: false })
      .expect(200);
  }
  return { ...claimed, queue };
}

async function statusOf(id: string): Promise<string> {
  const { rows } = await t.db.client.query<{ status: string }>('SELECT status FROM jobs WHERE id = $1', [id]);
  return rows[0]!.status;
}

type Client = ReturnType<typeof as>;

interface Endpoint {
  name: string;
  /** The key that has every right except this endpoint's scope. */
  wrongScope: () => string;
  /** Runs the call as `client` on fresh team A state; `check` asserts what another namespace's key saw. */
  call: (
    client: Client,
  ) => Promise<{ response: request.Response; otherNamespace: (r: request.Response) => void | Promise<void> }>;
  ok: number;
}

const notFoundAndUnchanged = (id: string, status: string) => async (response: request.Response) => {
  expectProblem(response, 404, 'job-not-found');
  expect(await statusOf(id)).toBe(status);
};

const endpoints: Endpoint[] = [
  {
    name: 'POST /v1/jobs',
    wrongScope: () => keys.readA,
    ok: 201,
    call: async (client) => {
      const response = await client
        .post('/v1/jobs')
        .send({ type: 'matrix', payload: {}, idempotencyKey: `submit-${(queueSeq += 1)}` });
      return {
        response,
        // Team B's submit lands in team B: the same key does not touch team A's job.
        otherNamespace: async (r) => {
          expect(r.status).toBe(201);
          const { rows } = await t.db.client.query<{ namespace: string }>(
            'SELECT namespace FROM jobs WHERE id = $1',
            [(r.body as Job).id],
          );
          expect(rows[0]!.namespace).toBe('team-b');
        },
      };
    },
  },
  {
    name: 'GET /v1/jobs',
    wrongScope: () => keys.submitA,
    ok: 200,
    call: async (client) => {
      const job = await teamAJob('pending');
      const response = await client.get(`/v1/jobs?queue=${job.queue}`);
      return {
        response,
        otherNamespace: (r) => {
          expect(r.status).toBe(200);
          expect((r.body as { items: Job[] }).items).toEqual([]);
        },
      };
    },
  },
  {
    name: 'GET /v1/jobs/:id',
    wrongScope: () => keys.submitA,
    ok: 200,
    call: async (client) => {
      const job = await teamAJob('pending');
      return {
        response: await client.get(`/v1/jobs/${job.id}`),
        otherNamespace: notFoundAndUnchanged(job.id, 'pending'),
      };
    },
  },
  {
    name: 'POST /v1/jobs/claim',
    wrongScope: () => keys.submitA,
    ok: 200,
    call: async (client) => {
      const job = await teamAJob('pending');
      const response = await client.post('/v1/jobs/claim').send({ queue: job.queue });
      return {
        response,
        otherNamespace: async (r) => {
          expect(r.status).toBe(200);
          expect((r.body as { jobs: Job[] }).jobs).toEqual([]);
          expect(await statusOf(job.id)).toBe('pending');
        },
      };
    },
  },
  ...(['heartbeat', 'complete', 'fail'] as const).map((action): Endpoint => ({
    name: `POST /v1/jobs/:id/${action}`,
    wrongScope: () => keys.submitA,
    ok: 200,
    call: async (client) => {
      const job = await teamAJob('processing');
      const body =
        action === 'fail' ? { leaseToken: job.leaseToken, error: 'x' } : { leaseToken: job.leaseToken };
      const response = await client.post(`/v1/jobs/${job.id}/${action}`).send(body);
      return { response, otherNamespace: notFoundAndUnchanged(job.id, 'processing') };
    },
  })),
  {
    name: 'POST /v1/jobs/:id/cancel',
    wrongScope: () => keys.workA,
    ok: 200,
    call: async (client) => {
      const job = await teamAJob('pending');
      return {
        response: await client.post(`/v1/jobs/${job.id}/cancel`),
        otherNamespace: notFoundAndUnchanged(job.id, 'pending'),
      };
    },
  },
  {
    name: 'POST /v1/jobs/:id/retry',
    wrongScope: () => keys.workA,
    ok: 200,
    call: async (client) => {
      const job = await teamAJob('dead_letter');
      return {
        response: await client.post(`/v1/jobs/${job.id}/retry`),
        otherNamespace: notFoundAndUnchanged(job.id, 'dead_letter'),
      };
    },
  },
  ...(
    [
      ['GET /v1/stats', '/v1/stats'],
      ['GET /v1/stats/history', '/v1/stats/history?minutes=5'],
    ] as const
  ).map(([name, path]): Endpoint => ({
    name,
    wrongScope: () => keys.workA,
    ok: 200,
    call: async (client) => {
      const job = await teamAJob('dead_letter');
      const response = await client.get(path);
      return {
        response,
        otherNamespace: (r) => {
          expect(r.status).toBe(200);
          expect(JSON.stringify(r.body)).not.toContain(`"${job.queue}"`);
        },
      };
    },
  })),
  {
    name: 'GET /v1/dead-letter',
    wrongScope: () => keys.workA,
    ok: 200,
    call: async (client) => {
      const job = await teamAJob('dead_letter');
      const response = await client.get(`/v1/dead-letter?queue=${job.queue}`);
      return {
        response,
        otherNamespace: (r) => {
          expect(r.status).toBe(200);
          expect((r.body as { items: Job[] }).items).toEqual([]);
        },
      };
    },
  },
  {
    name: 'POST /v1/dead-letter/redrive',
    wrongScope: () => keys.readA,
    ok: 200,
    call: async (client) => {
      const job = await teamAJob('dead_letter');
      const response = await client.post('/v1/dead-letter/redrive').send({ ids: [job.id] });
      return {
        response,
        otherNamespace: async (r) => {
          expect(r.status).toBe(200);
          expect(r.body).toEqual({ redriven: 0 });
          expect(await statusOf(job.id)).toBe('dead_letter');
        },
      };
    },
  },
  {
    name: 'POST /v1/jobs/:id/progress',
    wrongScope: () => keys.submitA,
    ok: 200,
    call: async (client) => {
      const job = await teamAJob('processing');
      return {
        response: await client
          .post(`/v1/jobs/${job.id}/progress`)
          .send({ leaseToken: job.leaseToken, percent: 5 }),
        otherNamespace: notFoundAndUnchanged(job.id, 'processing'),
      };
    },
  },
  {
    name: 'GET /v1/queues',
    wrongScope: () => keys.submitA,
    ok: 200,
    call: async (client) => {
      const job = await teamAJob('pending');
      const response = await client.get('/v1/queues');
      return {
        response,
        otherNamespace: (r) => {
          expect(r.status).toBe(200);
          const names = (r.body as { queues: { queue: string }[] }).queues.map((queue) => queue.queue);
          expect(names).not.toContain(job.queue);
        },
      };
    },
  },
  {
    name: 'POST /v1/queues/:queue/pause',
    wrongScope: () => keys.jobsA,
    ok: 200,
    call: async (client) => {
      const job = await teamAJob('pending');
      const response = await client.post(`/v1/queues/${job.queue}/pause`).send({});
      return {
        response,
        // Team B paused a queue of the same name, its own: team A's still hands its job out.
        otherNamespace: async (r) => {
          expect(r.status).toBe(200);
          const claim = await as(keys.allA).post('/v1/jobs/claim').send({ queue: job.queue }).expect(200);
          expect((claim.body as { jobs: Job[] }).jobs.map((claimed) => claimed.id)).toEqual([job.id]);
        },
      };
    },
  },
  {
    name: 'POST /v1/queues/:queue/resume',
    wrongScope: () => keys.jobsA,
    ok: 200,
    call: async (client) => {
      const job = await teamAJob('pending');
      await as(keys.allA).post(`/v1/queues/${job.queue}/pause`).send({}).expect(200);
      const response = await client.post(`/v1/queues/${job.queue}/resume`).send({});
      return {
        response,
        // Team B resumed its own queue of that name: team A's stays paused.
        otherNamespace: async (r) => {
          expect(r.status).toBe(200);
          const claim = await as(keys.allA).post('/v1/jobs/claim').send({ queue: job.queue }).expect(200);
          expect((claim.body as { jobs: Job[] }).jobs).toEqual([]);
        },
      };
    },
  },
  {
    name: 'PUT /v1/queues/:queue/limits',
    wrongScope: () => keys.jobsA,
    ok: 200,
    call: async (client) => {
      const job = await teamAJob('pending');
      const response = await client.put(`/v1/queues/${job.queue}/limits`).send({ concurrencyLimit: 1 });
      return {
        response,
        // Team B limited its own queue of that name: team A's has no limit.
        otherNamespace: async (r) => {
          expect(r.status).toBe(200);
          const listed = await as(keys.allA).get('/v1/queues').expect(200);
          const queue = (
            listed.body as { queues: { queue: string; concurrencyLimit: number | null }[] }
          ).queues.find((candidate) => candidate.queue === job.queue);
          expect(queue?.concurrencyLimit).toBeNull();
        },
      };
    },
  },
];

describe.each(endpoints)('$name', (endpoint) => {
  it('without a key: 401 with WWW-Authenticate, nothing done', async () => {
    const anonymous = {
      get: (path: string) => apiClient(t.server, '').get(path).unset('Authorization'),
      post: (path: string) => apiClient(t.server, '').post(path).unset('Authorization'),
      put: (path: string) => apiClient(t.server, '').put(path).unset('Authorization'),
      delete: (path: string) => apiClient(t.server, '').delete(path).unset('Authorization'),
    };
    const { response } = await endpoint.call(anonymous);
    expectProblem(response, 401, 'unauthorized');
    expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('with an unknown key: 401', async () => {
    const { response } = await endpoint.call(as('cvk_not-a-key-anyone-was-given-1234'));
    expectProblem(response, 401, 'unauthorized');
  });

  it('with a key that lacks the scope: 403', async () => {
    const { response } = await endpoint.call(as(endpoint.wrongScope()));
    expectProblem(response, 403, 'insufficient-scope');
  });

  it("with another namespace's key: never sees or touches team A's jobs", async () => {
    const { response, otherNamespace } = await endpoint.call(as(keys.allB));
    await otherNamespace(response);
  });

  it('with the right key: succeeds', async () => {
    const { response } = await endpoint.call(as(keys.allA));
    expect(response.status).toBe(endpoint.ok);
  });

  it('with an admin key naming team A: succeeds', async () => {
    const { response } = await endpoint.call({
      get: (path) => admin().get(path).set('Conveyor-Namespace', 'team-a'),
      post: (path) => admin().post(path).set('Conveyor-Namespace', 'team-a'),
      put: (path) => admin().put(path).set('Conveyor-Namespace', 'team-a'),
      delete: (path) => admin().delete(path).set('Conveyor-Namespace', 'team-a'),
    });
    expect(response.status).toBe(endpoint.ok);
  });
});

describe('/v1/admin/api-keys', () => {
  const routes: [string, (client: Client) => request.Test][] = [
    [
      'POST',
      (c) => c.post('/v1/admin/api-keys').send({ name: 'x', namespace: 'team-a', scopes: ['jobs:read'] }),
    ],
    ['GET', (c) => c.get('/v1/admin/api-keys')],
    ['DELETE', (c) => c.delete('/v1/admin/api-keys/00000000-0000-4000-8000-000000000000')],
  ];

  it.each(routes)('%s needs an admin key: 401 without one, 403 for every other scope', async (_, send) => {
    expectProblem(await send(as('')).unset('Authorization'), 401, 'unauthorized');
    for (const key of [keys.allA, keys.allB]) expectProblem(await send(as(key)), 403, 'insufficient-scope');
    // The admin key gets past the gate (the DELETE then finds no such key).
    expect([200, 201, 404]).toContain((await send(admin())).status);
  });
});

describe('namespaces', () => {
  it('give two jobs for the same idempotency key in two namespaces', async () => {
    const body = { type: 'invoice', payload: { n: 1 }, idempotencyKey: 'invoice-42' };
    const a = await as(keys.allA).post('/v1/jobs').send(body).expect(201);
    const b = await as(keys.allB).post('/v1/jobs').send(body).expect(201);
    expect((a.body as Job).id).not.toBe((b.body as Job).id);
    // And each namespace replays its own.
    const again = await as(keys.allB).post('/v1/jobs').send(body).expect(200);
    expect((again.body as Job).id).toBe((b.body as Job).id);
  });

  it('keep claims apart even on the same queue name', async () => {
    await as(keys.allA)
      .post('/v1/jobs')
      .send({ type: 't', queue: 'shared', payload: { team: 'a' } })
      .expect(201);
    await as(keys.allB)
      .post('/v1/jobs')
      .send({ type: 't', queue: 'shared', payload: { team: 'b' } })
      .expect(201);
    const claimB = await as(keys.allB)
      .post('/v1/jobs/claim')
      .send({ queue: 'shared', limit: 10 })
      .expect(200);
    expect((claimB.body as { jobs: { payload: unknown }[] }).jobs.map((job) => job.payload)).toEqual([
      { team: 'b' },
    ]);
  });

  it('let a key name its own namespace, refuse any other (403) and a malformed name (400)', async () => {
    await as(keys.readA).get('/v1/stats').set('Conveyor-Namespace', 'team-a').expect(200);
    expectProblem(
      await as(keys.readA).get('/v1/stats').set('Conveyor-Namespace', 'team-b'),
      403,
      'namespace-forbidden',
    );
    expectProblem(
      await as(keys.readA).get('/v1/stats').set('Conveyor-Namespace', "team-a'; DROP TABLE jobs; --"),
      400,
      'validation-error',
    );
  });

  it('let an admin key act in any namespace by naming it', async () => {
    const submitted = await admin()
      .post('/v1/jobs')
      .set('Conveyor-Namespace', 'team-b')
      .send({ type: 'from-admin', payload: {} })
      .expect(201);
    await as(keys.allB)
      .get(`/v1/jobs/${(submitted.body as Job).id}`)
      .expect(200);
    expectProblem(await as(keys.allA).get(`/v1/jobs/${(submitted.body as Job).id}`), 404, 'job-not-found');
  });
});
