import { jest } from '@jest/globals';
import request from 'supertest';
import { Sql } from '#conveyor/database';
import {
  apiClient,
  type Instance,
  listen,
  startInstance,
  startTestApp,
  TEST_ADMIN_KEY,
  type TestApp,
  UNTHROTTLED_API,
} from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { expectProblem } from '../support/problem.js';
import { type RawAnswer, rawExchange } from '../support/raw-http.js';

// The API keeps its word (issue 12): every input that used to reach a 500, write part of a batch,
// or get an answer the OpenAPI document does not describe, each with the answer it gets now. The
// contract check of test/support holds every answer of this file to /openapi.json as well.

const BODY_LIMIT = 4096;
const MAX_LEASE_SECONDS = 600;

let t: TestApp;
let port: number;
beforeAll(async () => {
  t = await startTestApp({
    ...UNTHROTTLED_API,
    CONVEYOR_BODY_LIMIT_BYTES: String(BODY_LIMIT),
    CONVEYOR_MAX_LEASE_SECONDS: String(MAX_LEASE_SECONDS),
  });
  port = await listen(t.app);
});
afterAll(async () => {
  await t.close();
});

const api = () => apiClient(t.server);

interface Job {
  id: string;
  status: string;
  runAt: string;
  payload: unknown;
  result: unknown;
  idempotencyKey: string;
  events: { toStatus: string }[];
}

async function jobsOfType(type: string): Promise<number> {
  const { rows } = await t.db.client.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM jobs WHERE type = $1',
    [type],
  );
  return rows[0]!.n;
}

/** A 400 validation problem naming exactly `field`. */
function expectFieldRefused(response: request.Response, field: string): void {
  expectProblem(response, 400, 'validation-error');
  expect((response.body as { errors: { field: string }[] }).errors.map((error) => error.field)).toEqual([
    field,
  ]);
}

let claims = 0;
/** A new job of `queue`, submitted and claimed: its id and lease token. */
async function claimOne(queue: string): Promise<{ id: string; leaseToken: string }> {
  claims += 1;
  const created = await api()
    .post('/v1/jobs')
    .send({ type: 'contract', queue, payload: { n: claims } })
    .expect(201);
  const { id } = created.body as Job;
  const claimed = await api()
    .post('/v1/jobs/claim')
    .send({ queue, types: ['contract'], limit: 100 })
    .expect(200);
  const job = (claimed.body as { jobs: { id: string; leaseToken: string }[] }).jobs.find(
    (one) => one.id === id,
  );
  if (job === undefined) throw new Error(`job ${id} was not claimed`);
  return job;
}

describe('1. missing and null bodies', () => {
  it('a claim without a body claims with every default', async () => {
    const response = await api().post('/v1/jobs/claim').expect(200);
    expect(response.body).toEqual({ jobs: [] });
  });

  it.each(['/v1/jobs/claim', '/v1/jobs/ack', '/v1/dead-letter/redrive', '/v1/jobs'])(
    'null as the body of %s is a 400 naming the body',
    async (path) => {
      const response = await api().post(path).set('Content-Type', 'application/json').send('null');
      expectFieldRefused(response, 'body');
    },
  );

  it.each([[''], [false], ['1e2'], [null]])('redrive with minAgeSeconds %j is a 400', async (value) => {
    expectFieldRefused(
      await api().post('/v1/dead-letter/redrive').send({ minAgeSeconds: value }),
      'minAgeSeconds',
    );
  });

  it('a submit with backoff: null is a 400 and writes nothing', async () => {
    expectFieldRefused(
      await api().post('/v1/jobs').send({ type: 'contract.null', payload: {}, backoff: null }),
      'backoff',
    );
    expect(await jobsOfType('contract.null')).toBe(0);
  });
});

describe('2. timestamps', () => {
  const refused = [
    '2026-W01',
    '20260101T000000Z',
    '2026-01-01T00:00:00,5Z',
    '2026-01-01T00Z',
    '+9999-01-01T00:00:00Z',
    '9999-12-31T23:59:59-23:59',
    '2026-02-29T00:00:00Z',
    '2026-01-01T12:00:60Z',
    '0000-12-31T23:59:59Z',
  ];

  it.each(refused)('runAt %s is a 400 naming runAt', async (runAt) => {
    expectFieldRefused(
      await api().post('/v1/jobs').send({ type: 'contract.date', payload: {}, runAt }),
      'runAt',
    );
  });

  it.each(refused)('an API key expiring %s is a 400 naming expiresAt', async (expiresAt) => {
    const response = await api()
      .post('/v1/admin/api-keys')
      .send({ name: 'dated', namespace: 'dated', scopes: ['jobs:read'], expiresAt });
    expectFieldRefused(response, 'expiresAt');
  });

  it.each([
    ['2126-01-01T00:00:00+01:00', '2125-12-31T23:00:00.000Z'],
    ['2116-12-31t23:59:60z', '2117-01-01T00:00:00.000Z'],
    ['2126-06-30T23:59:59.123456-02:30', '2126-07-01T02:29:59.123Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
  ])('runAt %s is stored as %s', async (runAt, stored) => {
    const created = await api()
      .post('/v1/jobs')
      .send({ type: 'contract.date', payload: { runAt }, runAt })
      .expect(201);
    expect((created.body as Job).runAt).toBe(stored);
    const read = await api()
      .get(`/v1/jobs/${(created.body as Job).id}`)
      .expect(200);
    expect((read.body as Job).runAt).toBe(stored);
  });
});

describe('3. lengths count characters as the database does', () => {
  const selectors = 'a\uFE0F'.repeat(200); // 400 characters, which class-validator counted as 200
  const emoji = '\u{1F600}'.repeat(255); // 255 characters in 510 UTF-16 units

  it('an idempotency key of 400 characters is a 400', async () => {
    expectFieldRefused(
      await api().post('/v1/jobs').send({ type: 'contract.length', payload: {}, idempotencyKey: selectors }),
      'idempotencyKey',
    );
  });

  it('a claim with a workerId of 400 characters is a 400', async () => {
    expectFieldRefused(await api().post('/v1/jobs/claim').send({ workerId: selectors }), 'workerId');
  });

  it('an API key named with 400 characters is a 400', async () => {
    const response = await api()
      .post('/v1/admin/api-keys')
      .send({ name: selectors, namespace: 'lengths', scopes: ['jobs:read'] });
    expectFieldRefused(response, 'name');
  });

  it('255 characters outside the BMP fit, and are stored exactly', async () => {
    const created = await api()
      .post('/v1/jobs')
      .send({ type: 'contract.length', payload: {}, idempotencyKey: emoji })
      .expect(201);
    expect((created.body as Job).idempotencyKey).toBe(emoji);
    await api().post('/v1/jobs/claim').send({ queue: 'lengths', workerId: emoji }).expect(200);
  });
});

describe('4. crafted list cursors', () => {
  const crafted = Buffer.from(
    JSON.stringify(['2026-01-01 00:00:00+00:60', '00000000-0000-0000-0000-000000000000']),
  ).toString('base64url');

  it.each(['/v1/jobs', '/v1/dead-letter'])('%s answers 400 invalid-cursor', async (path) => {
    expectProblem(await api().get(`${path}?cursor=${crafted}`), 400, 'invalid-cursor');
  });

  it('a cursor of the largest position the decoder accepts is used as is', async () => {
    const far = Buffer.from(
      JSON.stringify([Number.MAX_SAFE_INTEGER, '00000000-0000-0000-0000-000000000000']),
    ).toString('base64url');
    const page = await api().get(`/v1/jobs?limit=1&cursor=${far}`).expect(200);
    expect((page.body as { items: unknown[] }).items).toHaveLength(1);
  });
});

describe('5. batches are written whole or per job, never in part before a 500', () => {
  it('a batch with one impossible runAt is refused whole, every time, and writes nothing', async () => {
    const batch = {
      jobs: [
        { type: 'contract.batch', payload: { i: 1 } },
        { type: 'contract.batch', payload: { i: 2 }, runAt: '9999-12-31T23:59:59-23:59' },
        { type: 'contract.batch', payload: { i: 3 } },
      ],
    };
    for (let attempt = 0; attempt < 2; attempt += 1) {
      expectFieldRefused(await api().post('/v1/jobs/batch').send(batch), 'jobs.1.runAt');
    }
    expect(await jobsOfType('contract.batch')).toBe(0);
  });

  it('a job the database refuses is answered in its own outcome; its neighbours are written', async () => {
    // A rule the validator does not know: only PostgreSQL can refuse this job.
    await t.db.client.query(`ALTER TABLE jobs ADD CONSTRAINT e2e_no_poison CHECK (NOT payload ? 'poison')`);
    try {
      const batch = {
        jobs: [
          { type: 'contract.refused', payload: { i: 1 } },
          { type: 'contract.refused', payload: { poison: true } },
          { type: 'contract.refused', payload: { i: 3 } },
        ],
      };
      const first = await api().post('/v1/jobs/batch').send(batch).expect(200);
      const items = (
        first.body as { jobs: { status: number; problem?: { type: string; sqlState: string } }[] }
      ).jobs;
      expect(items.map((item) => item.status)).toEqual([201, 400, 201]);
      expect(items[1]!.problem).toMatchObject({
        type: 'urn:conveyor:problem:job-refused',
        sqlState: '23514',
      });
      expect(await jobsOfType('contract.refused')).toBe(2);

      const again = await api().post('/v1/jobs/batch').send(batch).expect(200);
      expect((again.body as { jobs: { status: number }[] }).jobs.map((item) => item.status)).toEqual([
        200, 400, 200,
      ]);
      expectProblem(
        await api()
          .post('/v1/jobs')
          .send({ type: 'contract.refused', payload: { poison: 1 } }),
        400,
        'job-refused',
      );
      expect(await jobsOfType('contract.refused')).toBe(2);
    } finally {
      await t.db.client.query('ALTER TABLE jobs DROP CONSTRAINT e2e_no_poison');
    }
  });
});

describe('6. answers match their schemas', () => {
  it('a result may be any JSON value, and comes back as sent', async () => {
    for (const result of [42, 'done', [1, 'two'], null, false, { nested: { ok: true } }]) {
      const job = await claimOne('results');
      await api()
        .post(`/v1/jobs/${job.id}/complete`)
        .send({ leaseToken: job.leaseToken, result })
        .expect(200);
      expect(((await api().get(`/v1/jobs/${job.id}`).expect(200)).body as Job).result).toEqual(result);
    }
  });

  it('stats of an idle namespace carry null latencies', async () => {
    const stats = await api().get('/v1/stats').set('Conveyor-Namespace', 'idle-namespace').expect(200);
    expect(stats.body).toEqual({ queues: [], latency: { sample: 0, waitSeconds: null, runSeconds: null } });
  });

  it('API keys carry expiresAt and revokedAt as strings or null', async () => {
    const created = await api()
      .post('/v1/admin/api-keys')
      .send({
        name: 'expiring',
        namespace: 'expiring',
        scopes: ['jobs:read'],
        expiresAt: '2126-01-01T00:00:00Z',
      })
      .expect(201);
    const { id } = created.body as { id: string };
    await api().delete(`/v1/admin/api-keys/${id}`).expect(204);
    const listed = await api().get('/v1/admin/api-keys?namespace=expiring').expect(200);
    expect((listed.body as { keys: unknown[] }).keys[0]).toMatchObject({
      expiresAt: '2126-01-01T00:00:00.000Z',
      revokedAt: expect.stringMatching(/^\d{4}-/) as unknown,
    });
  });
});

describe('7. every answer is documented, and requests are described as strictly as they are read', () => {
  interface Operation {
    requestBody?: { required: boolean; content: Record<string, { schema: { $ref: string } }> };
    parameters?: { name: string; schema: Record<string, unknown> }[];
    responses: Record<string, unknown>;
    security?: unknown[];
  }
  interface Document {
    servers: { url: string }[];
    info: { license?: { name: string } };
    paths: Record<string, Record<string, Operation>>;
    components: {
      schemas: Record<
        string,
        { additionalProperties?: boolean; properties: Record<string, Record<string, unknown>> }
      >;
      securitySchemes: Record<string, { bearerFormat?: string }>;
    };
  }
  let document: Document;
  beforeAll(async () => {
    document = (await request(t.server).get('/openapi.json').expect(200)).body as Document;
  });

  const bodyRoutes = () =>
    Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((method) => method === 'post' || method === 'delete')
        .map((method) => ({ method, path: path.replace('{id}', '0b5e7a52-4a8e-4f0e-9a53-7e0a0a4d8f11') })),
    );

  const send = (method: string, path: string) => (method === 'post' ? api().post(path) : api().delete(path));

  it('names its server, its license and how keys are sent, and says the probes need none', () => {
    expect(document.servers.length).toBeGreaterThan(0);
    expect(document.info.license?.name).toBeTruthy();
    expect(document.components.securitySchemes['api-key']?.bearerFormat).not.toBe('JWT');
    for (const path of ['/health/live', '/health/ready']) {
      expect(document.paths[path]?.['get']?.security).toEqual([]);
      expect(document.paths[path]?.['get']?.responses['200']).toBeDefined();
    }
  });

  it('a body that is not JSON is a documented 415 on every route that takes one', async () => {
    for (const { method, path } of bodyRoutes()) {
      const response = await send(method, path).set('Content-Type', 'text/plain').send('x');
      expectProblem(response, 415, 'unsupported-media-type');
    }
  });

  it('a body over the limit is a documented 413 on every route that takes one', async () => {
    for (const { method, path } of bodyRoutes()) {
      const response = await send(method, path).send({ padding: 'x'.repeat(BODY_LIMIT) });
      expectProblem(response, 413);
      expect((response.body as { detail: string }).detail).toMatch(/CONVEYOR_BODY_LIMIT_BYTES/);
    }
  });

  it('request bodies refuse unknown fields, as the server does', () => {
    for (const name of [
      'SubmitJobBody',
      'BackoffBody',
      'ClaimJobsBody',
      'CompleteItem',
      'CreateApiKeyBody',
    ]) {
      expect(document.components.schemas[name]?.additionalProperties).toBe(false);
    }
  });

  it('describes namespaces, names, key ids and lease limits as the server checks them', () => {
    const { schemas } = document.components;
    expect(schemas['CreateApiKeyBody']?.properties['namespace']?.['pattern']).toBe(
      '^[a-z0-9][a-z0-9._-]{0,62}$',
    );
    expect(schemas['CreateApiKeyBody']?.properties['name']?.['minLength']).toBe(1);
    expect(schemas['ClaimJobsBody']?.properties['leaseSeconds']?.['maximum']).toBe(MAX_LEASE_SECONDS);
    expect(schemas['HeartbeatJobBody']?.properties['leaseSeconds']?.['maximum']).toBe(MAX_LEASE_SECONDS);
    const revoke = document.paths['/v1/admin/api-keys/{id}']?.['delete'];
    expect(revoke?.parameters?.find((parameter) => parameter.name === 'id')?.schema['format']).toBe('uuid');
  });

  it("passes Redocly's recommended rules without a single problem", async () => {
    const { createConfig, lintFromString } = await import('@redocly/openapi-core');
    const problems = await lintFromString({
      source: JSON.stringify(document),
      absoluteRef: '/openapi.json',
      config: await createConfig({ extends: ['recommended'] }),
    });
    expect(problems.map((problem) => `${problem.ruleId}: ${problem.message}`)).toEqual([]);
  });

  it('a claim whose body may be left out says so', () => {
    expect(document.paths['/v1/jobs/claim']?.['post']?.requestBody?.required).toBe(false);
    expect(document.paths['/v1/jobs']?.['post']?.requestBody?.required).toBe(true);
  });
});

describe("8. the router's own refusals are problems with the usual headers", () => {
  it('a path that is not valid UTF-8 is a 400 problem with security headers and a request id', async () => {
    const answer = await rawExchange(
      port,
      `GET /v1/jobs/%C0%AE%C0%AE HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_ADMIN_KEY}\r\nConnection: close\r\n\r\n`,
    );
    expect(answer.status).toBe(400);
    expect(answer.contentType).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(answer.text)).toMatchObject({ status: 400, detail: expect.any(String) as unknown });
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['x-request-id']).toMatch(/\S/);
  });

  it('an id of 300 characters is a 400 naming id', async () => {
    expectFieldRefused(await api().get(`/v1/jobs/${'a'.repeat(300)}`), 'id');
  });
});

describe('9. every problem has a detail', () => {
  const detailOf = (response: { body: unknown }) => (response.body as { detail?: unknown }).detail;

  it.each([
    ['malformed JSON', '{"type":'],
    ['an empty JSON body', ''],
    ['JSON with a trailing comma', '{"type":"x",}'],
  ])('%s', async (_label, text) => {
    const response = await api().post('/v1/jobs').set('Content-Type', 'application/json').send(text);
    expectProblem(response, 400, 'malformed-json');
    expect(detailOf(response)).toEqual(expect.any(String));
  });

  it('headers that are too large (431), answered before any route', async () => {
    const answer = await rawExchange(
      port,
      `GET /v1/stats HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\nConnection: close\r\n\r\n`,
    );
    expect(answer.status).toBe(431);
    expect(JSON.parse(answer.text)).toMatchObject({ detail: expect.any(String) as unknown });
    expect(answer.headers['x-request-id']).toMatch(/\S/);
  });

  it('keys named __proto__, constructor and prototype are stored like any other', async () => {
    const text = '{"__proto__":{"a":1},"constructor":{"prototype":{"b":2}}}';
    const created = await api()
      .post('/v1/jobs')
      .set('Content-Type', 'application/json')
      .send(`{"type":"contract.proto","payload":${text}}`)
      .expect(201);
    const read = await api()
      .get(`/v1/jobs/${(created.body as Job).id}`)
      .expect(200);
    expect(JSON.stringify((read.body as Job).payload)).toBe(text);
  });
});

describe('10. numbers are stored exactly or refused', () => {
  it.each([
    ['{"big":1e309}', 'payload.big'],
    ['{"n":123456789012345678901234567890}', 'payload.n'],
    ['{"list":[1,0.30000000000000000001]}', 'payload.list.1'],
    ['{"tiny":1e-400}', 'payload.tiny'],
  ])('%s is a 400 naming %s', async (payload, field) => {
    const response = await api()
      .post('/v1/jobs')
      .set('Content-Type', 'application/json')
      .send(`{"type":"contract.number","payload":${payload}}`);
    expectFieldRefused(response, field);
    expect(await jobsOfType('contract.number')).toBe(0);
  });

  it('numbers a double holds exactly come back with their value', async () => {
    const created = await api()
      .post('/v1/jobs')
      .set('Content-Type', 'application/json')
      .send('{"type":"contract.number","payload":{"n":[1.50,1E2,0.1,9007199254740991,-0,5e-324,1e308]}}')
      .expect(201);
    const read = await api()
      .get(`/v1/jobs/${(created.body as Job).id}`)
      .expect(200);
    expect((read.body as Job).payload).toEqual({ n: [1.5, 100, 0.1, 9007199254740991, 0, 5e-324, 1e308] });
  });
});

describe('14. a job and its history are read as one snapshot', () => {
  it('GET /v1/jobs/:id reads them with one statement', async () => {
    const job = await claimOne('snapshot');
    const { pool } = t.app.get(Sql);
    const statements = jest.spyOn(pool, 'query');
    try {
      await api().get(`/v1/jobs/${job.id}`).expect(200);
      expect(statements).toHaveBeenCalledTimes(1);
    } finally {
      statements.mockRestore();
    }
  });

  it('never shows a status its history contradicts, read while many jobs change', async () => {
    const jobs: { id: string; leaseToken: string }[] = [];
    for (let i = 0; i < 40; i += 1) jobs.push(await claimOne(`snapshot-race-${i}`));
    const contradictions: string[] = [];
    let settling = true;
    const readers = Array.from({ length: 8 }, async () => {
      while (settling) {
        await Promise.all(
          jobs.map(async ({ id }) => {
            const read = (await api().get(`/v1/jobs/${id}`).expect(200)).body as Job;
            const last = read.events.at(-1)?.toStatus;
            if (last !== read.status) contradictions.push(`${read.status} with history ending ${last}`);
          }),
        );
      }
    });
    try {
      await Promise.all(
        jobs.map(({ id, leaseToken }) =>
          api().post(`/v1/jobs/${id}/complete`).send({ leaseToken, result: { id } }).expect(200),
        ),
      );
    } finally {
      settling = false;
      await Promise.all(readers);
    }
    expect(contradictions).toEqual([]);
  });
});

describe('15. a lost race names the status that refused it', () => {
  /** Runs `change` on the job while `action` waits for its row lock, then lets the action go on. */
  async function raceUnderLock(id: string, action: () => Promise<request.Response>, change: string) {
    await t.db.client.query('BEGIN');
    await t.db.client.query('SELECT 1 FROM jobs WHERE id = $1 FOR UPDATE', [id]);
    const answer = action();
    // The action's statement is waiting for the lock once PostgreSQL says so (pg_locks shows
    // every session's waits; pg_stat_activity hides another role's).
    await eventually(async () => {
      const { rows } = await t.db.client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted`,
      );
      expect(rows[0]!.n).toBeGreaterThan(0);
    });
    await t.db.client.query(change, [id]);
    await t.db.client.query('COMMIT');
    return answer;
  }

  it('a cancel that loses to a completion answers 409 with currentStatus completed', async () => {
    const job = await claimOne('race-cancel');
    const response = await raceUnderLock(
      job.id,
      () =>
        api()
          .post(`/v1/jobs/${job.id}/cancel`)
          .then((answer) => answer),
      `UPDATE jobs SET status = 'completed', result = '1', last_lease_token = lease_token,
         last_lease_end = 'completed', lease_token = NULL, lease_expires_at = NULL WHERE id = $1`,
    );
    expectProblem(response, 409, 'illegal-transition');
    expect(response.body).toMatchObject({ currentStatus: 'completed' });
  });

  it('a retry that loses to a redrive answers 409 with currentStatus pending', async () => {
    const job = await claimOne('race-retry');
    await api()
      .post(`/v1/jobs/${job.id}/fail`)
      .send({ leaseToken: job.leaseToken, error: 'x', retryable: false })
      .expect(200);
    const response = await raceUnderLock(
      job.id,
      () =>
        api()
          .post(`/v1/jobs/${job.id}/retry`)
          .then((answer) => answer),
      `UPDATE jobs SET status = 'pending', attempts = 0, run_at = now() WHERE id = $1`,
    );
    expectProblem(response, 409, 'illegal-transition');
    expect(response.body).toMatchObject({ currentStatus: 'pending' });
  });
});

describe('11. a request that arrives too slowly is answered 408 and closed', () => {
  let slow: Instance;
  let slowPort: number;
  beforeAll(async () => {
    slow = await startInstance(t.db.url, {
      CONVEYOR_ROLE: 'api',
      CONVEYOR_REQUEST_TIMEOUT_MS: '1500',
      CONVEYOR_HEADERS_TIMEOUT_MS: '1000',
    });
    slowPort = await listen(slow.app);
  });
  afterAll(async () => {
    await slow.close();
  });

  function expectTimedOut(answer: RawAnswer, startedAt: number): void {
    expect(answer.status).toBe(408);
    expect(answer.contentType).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(answer.text)).toMatchObject({ status: 408, detail: expect.any(String) as unknown });
    expect(answer.headers['x-request-id']).toMatch(/\S/);
    // The timeout, plus Node's one-second check, plus slack for a busy machine.
    expect(Date.now() - startedAt).toBeLessThan(6000);
  }

  it('a body that stops short of its Content-Length', async () => {
    const startedAt = Date.now();
    const answer = await rawExchange(
      slowPort,
      'POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        `Authorization: Bearer ${TEST_ADMIN_KEY}\r\nContent-Length: 100\r\n\r\n{"type":"x`,
    );
    expectTimedOut(answer, startedAt);
  });

  it('headers sent a byte at a time', async () => {
    const startedAt = Date.now();
    const head = `GET /v1/stats HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(100)}\r\n\r\n`;
    // One byte a write (the head is ASCII).
    const bytes = Array.from({ length: head.length }, (_, index) => head.charAt(index));
    const answer = await rawExchange(slowPort, bytes, { gapMs: 200, timeoutMs: 10_000 });
    expectTimedOut(answer, startedAt);
  });
});
