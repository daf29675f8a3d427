import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { MetricsServer } from '#conveyor/metrics';
import { apiClient, type Instance, startInstance, TEST_ADMIN_KEY } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { captureLogs } from '../support/log-capture.js';
import { expectProblem } from '../support/problem.js';

// A canary secret goes everywhere a client can put a secret: the API key, a malformed
// Authorization header, a cookie, the namespace header, a payload's `password` (redacted by
// CONVEYOR_SECRET_PAYLOAD_FIELDS) through a handler that fails and through a submit that is
// refused. It must never come back: not in a log line, not in an answer (body or header), not in
// /metrics. The same holds for a real key created here and for the admin key.
//
// The only instance of this file: with nestjs-pino, only the first instance's logs reach a capture.

/** A valid bearer token and a valid header value, but never a valid namespace (upper case, `_`). */
const CANARY = `Canary_${randomBytes(16).toString('hex')}`;
const logs = captureLogs();

let db: TestDatabase;
let instance: Instance;
let server: App;
beforeAll(async () => {
  db = await createTestDatabase();
  instance = await startInstance(
    db.url,
    {
      LOG_LEVEL: 'info',
      CONVEYOR_SECRET_PAYLOAD_FIELDS: 'password',
      CONVEYOR_ROLE: 'all',
      CONVEYOR_POLL_INTERVAL_MS: '50',
      CONVEYOR_METRICS_PORT: '0',
    },
    [],
    logs.destination,
  );
  server = instance.app.getHttpServer() as App;
});
afterAll(async () => {
  await instance.close();
  await db.drop();
});

const admin = () => apiClient(server);

/**
 * Every answer of this file, but the one that hands out the new key. Most must hold no secret at
 * all; the answers that return a job (`returnsJob`) hold its payload, `password` included, by
 * design: the payload belongs to whoever may read the job, and the redaction is for logs. Those
 * must still hold no key.
 */
const answers: { label: string; response: request.Response; returnsJob: boolean }[] = [];
function seen(label: string, response: request.Response, returnsJob = false): request.Response {
  answers.push({ label, response, returnsJob });
  return response;
}

/** The key created through the API; a secret as much as the canary. */
let createdKey = '';

interface Job {
  id: string;
  status: string;
  lastError: string | null;
}

describe('the canary as a credential', () => {
  const headers = [
    { label: 'the bearer API key', value: `Bearer ${CANARY}`, wwwAuthenticate: /error="invalid_token"/ },
    { label: 'a Basic credential', value: `Basic ${CANARY}`, wwwAuthenticate: /error="invalid_request"/ },
    {
      label: 'a bearer key followed by more words',
      value: `Bearer ${CANARY} extra`,
      wwwAuthenticate: /error="invalid_request"/,
    },
    { label: 'a bare Authorization value', value: CANARY, wwwAuthenticate: /error="invalid_request"/ },
  ];
  const routes = [
    {
      label: 'GET /v1/stats',
      send: (auth: string) => request(server).get('/v1/stats').set('Authorization', auth),
    },
    {
      label: 'POST /v1/jobs',
      send: (auth: string) =>
        request(server)
          .post('/v1/jobs')
          .set('Authorization', auth)
          .send({ type: 'secret.unauthorized', payload: {} }),
    },
  ];

  it.each(headers.flatMap((header) => routes.map((route) => ({ ...header, route }))))(
    '$label on $route.label: 401',
    async ({ label, value, wwwAuthenticate, route }) => {
      const response = seen(`${label} on ${route.label}`, await route.send(value));
      expectProblem(response, 401, 'unauthorized');
      expect(response.headers['www-authenticate']).toMatch(wwwAuthenticate);
    },
  );

  it('in a cookie, beside a valid key: the request works; alone: 401', async () => {
    seen(
      'cookie with a key',
      await admin().get('/v1/stats').set('Cookie', `session=${CANARY}; token=${CANARY}`).expect(200),
    );
    const alone = seen(
      'cookie alone',
      await request(server).get('/v1/stats').set('Cookie', `session=${CANARY}`),
    );
    expectProblem(alone, 401, 'unauthorized');
  });

  it('in Conveyor-Namespace: 400, the header named but not echoed', async () => {
    const response = seen(
      'Conveyor-Namespace',
      await admin().get('/v1/stats').set('Conveyor-Namespace', CANARY),
    );
    expectProblem(response, 400, 'validation-error');
    expect(response.body).toMatchObject({ errors: [{ field: 'Conveyor-Namespace' }] });
  });
});

describe('a key created through the API', () => {
  it('is handed out once, on creation', async () => {
    // Deliberately not `seen`: this is the one answer that holds the key.
    const created = await admin()
      .post('/v1/admin/api-keys')
      .send({ name: 'secrets-e2e', namespace: 'secrets', scopes: ['jobs:submit', 'jobs:read'] })
      .expect(201);
    createdKey = (created.body as { key: string }).key;
    expect(createdKey).toMatch(/^cvk_/);
  });

  it('works for what its scopes allow and is refused (403) beyond them', async () => {
    const own = apiClient(server, createdKey);
    const submitted = seen(
      'submit with the created key',
      await own
        .post('/v1/jobs')
        .send({ type: 'secret.keyed', payload: { n: 1 } })
        .expect(201),
      true,
    );
    const id = (submitted.body as Job).id;
    seen('read with the created key', await own.get(`/v1/jobs/${id}`).expect(200), true);
    seen('list with the created key', await own.get('/v1/jobs').expect(200), true);
    seen('stats with the created key', await own.get('/v1/stats').expect(200));
    expectProblem(
      seen('claim with the created key', await own.post('/v1/jobs/claim').send({})),
      403,
      'insufficient-scope',
    );
    expectProblem(
      seen('admin route with the created key', await own.get('/v1/admin/api-keys')),
      403,
      'insufficient-scope',
    );
    expectProblem(
      seen(
        'another namespace with the created key',
        await own.get('/v1/stats').set('Conveyor-Namespace', 'elsewhere'),
      ),
      403,
      'namespace-forbidden',
    );
  });

  it('is listed by its prefix only', async () => {
    const list = seen('list of keys', await admin().get('/v1/admin/api-keys?namespace=secrets').expect(200));
    const keys = (list.body as { keys: { name: string; keyPrefix: string }[] }).keys;
    expect(keys).toEqual([expect.objectContaining({ name: 'secrets-e2e' })]);
    expect(createdKey.startsWith(keys[0]!.keyPrefix)).toBe(true);
    expect(keys[0]!.keyPrefix.length).toBeLessThan(createdKey.length / 2);
  });
});

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i += 1) value = { next: value };
  return value;
}

describe('the canary as payload.password', () => {
  it('through a handler that fails (webhook to a host not allowed): dead-lettered, and logged', async () => {
    const submitted = seen(
      'webhook submit',
      await admin()
        .post('/v1/jobs')
        .send({
          type: 'webhook',
          payload: {
            url: 'http://not-allowed.example/hook',
            body: { password: CANARY },
            headers: { password: CANARY },
          },
        })
        .expect(201),
      true,
    );
    const id = (submitted.body as Job).id;
    const failed = await eventually(async () => {
      const job = await admin().get(`/v1/jobs/${id}`).expect(200);
      expect(job.body).toMatchObject({ status: 'dead_letter' });
      return job;
    });
    seen('webhook job read back', failed, true);
    expect((failed.body as Job).lastError).toMatch(/not-allowed\.example.*CONVEYOR_WEBHOOK_ALLOWED_HOSTS/);
    // The failure was logged with the job's fields, so the log sweep below has something to sweep.
    await eventually(() => {
      expect(logs.records().find((record) => record['jobId'] === id)).toMatchObject({ jobType: 'webhook' });
    });
  });

  it('through a handler that succeeds (noop), at the top level of the payload', async () => {
    const submitted = seen(
      'noop submit',
      await admin()
        .post('/v1/jobs')
        .send({ type: 'noop', payload: { password: CANARY } })
        .expect(201),
      true,
    );
    const id = (submitted.body as Job).id;
    seen(
      'noop job read back',
      await eventually(async () => {
        const job = await admin().get(`/v1/jobs/${id}`).expect(200);
        expect(job.body).toMatchObject({ status: 'completed' });
        return job;
      }),
      true,
    );
  });

  it.each([
    { label: 'an invalid type', body: { type: 'not a type!', payload: { password: CANARY } }, field: 'type' },
    {
      label: "fields the handler's payload does not have",
      body: { type: 'webhook', payload: { url: 'not a url', password: CANARY } },
      field: 'payload.password',
    },
    {
      label: 'a payload nested too deep',
      body: { type: 'secret.deep', payload: { password: CANARY, deep: nested(70) } },
      field: undefined,
    },
  ])('in a submit refused for $label: 400, without the canary', async ({ label, body, field }) => {
    const response = seen(`refused submit: ${label}`, await admin().post('/v1/jobs').send(body));
    expectProblem(response, 400);
    if (field !== undefined) {
      const fields = (response.body as { errors: { field: string }[] }).errors.map((error) => error.field);
      expect(fields).toContain(field);
    }
  });

  it('in a submit refused because its idempotency key was used for another job: 422', async () => {
    seen(
      'first submit for the key',
      await admin()
        .post('/v1/jobs')
        .send({
          type: 'secret.reused',
          payload: { password: 'the first one' },
          idempotencyKey: 'secret-reused',
        })
        .expect(201),
      true,
    );
    const reused = seen(
      'key reused with the canary',
      await admin()
        .post('/v1/jobs')
        .send({ type: 'secret.reused', payload: { password: CANARY }, idempotencyKey: 'secret-reused' }),
    );
    expectProblem(reused, 422, 'idempotency-key-reused');
  });
});

describe('nowhere to be found', () => {
  const secrets = () => [
    { name: 'the canary', value: CANARY },
    { name: 'the created key', value: createdKey },
    { name: 'the admin key', value: TEST_ADMIN_KEY },
  ];

  it('the created key exists, so the sweeps below look for something real', () => {
    expect(createdKey).toMatch(/^cvk_.{20,}/);
  });

  it('GET /metrics', async () => {
    const port = instance.app.get(MetricsServer).port;
    const metrics = seen('metrics', await request(`http://127.0.0.1:${port}`).get('/metrics').expect(200));
    expect(metrics.text).toContain('# TYPE');
  });

  it('in any log line', () => {
    // The capture is live: the refused requests and the failed job were logged.
    const records = logs.records();
    expect(
      records.some((record) => (record['res'] as { statusCode?: number } | undefined)?.statusCode === 401),
    ).toBe(true);
    expect(records.some((record) => record['jobType'] === 'webhook')).toBe(true);
    const all = logs.lines.join('\n');
    for (const { name, value } of secrets())
      expect({ name, found: all.includes(value) }).toEqual({ name, found: false });
  });

  it('in any answer, body or header', () => {
    expect(answers.length).toBeGreaterThan(20);
    // The canary did travel: the jobs that carry it return it to their readers.
    expect(answers.some(({ returnsJob, response }) => returnsJob && response.text.includes(CANARY))).toBe(
      true,
    );
    for (const { label, response, returnsJob } of answers) {
      const text = `${JSON.stringify(response.headers)}\n${response.text}`;
      for (const { name, value } of secrets()) {
        // A job's own payload comes back to its readers, password included (see `answers`).
        if (returnsJob && value === CANARY) continue;
        expect({ label, name, found: text.includes(value) }).toEqual({ label, name, found: false });
      }
    }
  });

  it('in any error body', () => {
    const errors = answers.filter(({ response }) => response.status >= 400);
    expect(errors.length).toBeGreaterThan(10);
    for (const { label, response } of errors) {
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      for (const { name, value } of secrets()) {
        expect({ label, name, found: response.text.includes(value) }).toEqual({ label, name, found: false });
      }
    }
  });
});
