import request from 'supertest';
import type { App } from 'supertest/types.js';
import { apiClient, type Instance, startInstance, startTestApp, type TestApp } from '../support/app.js';

// What every HTTP client and browser sees besides the API itself: the OpenAPI document and its UI,
// helmet's security headers on every kind of answer, and CORS (off unless origins are configured).

const APP_ORIGIN = 'https://app.example.com';
const EVIL_ORIGIN = 'https://evil.example';

let t: TestApp;
/** A second instance on the same database, with CORS on for APP_ORIGIN. */
let withCors: Instance;
beforeAll(async () => {
  t = await startTestApp({ CONVEYOR_ROLE: 'api' });
  withCors = await startInstance(t.db.url, { CONVEYOR_ROLE: 'api', CONVEYOR_CORS_ORIGINS: APP_ORIGIN });
});
afterAll(async () => {
  await withCors.close();
  await t.close();
});

const api = () => apiClient(t.server);

interface Operation {
  security?: Record<string, string[]>[];
  responses: Record<string, unknown>;
}
interface OpenApiDocument {
  security?: Record<string, string[]>[];
  paths: Record<string, Record<string, Operation>>;
}

async function openApi(): Promise<OpenApiDocument> {
  const response = await request(t.server).get('/openapi.json').expect(200);
  return response.body as OpenApiDocument;
}

function operations(document: OpenApiDocument): { method: string; path: string; operation: Operation }[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ method, path, operation })),
  );
}

describe('GET /openapi.json', () => {
  const V1_OPERATIONS = [
    ['post', '/v1/jobs'],
    ['get', '/v1/jobs'],
    ['post', '/v1/jobs/batch'],
    ['post', '/v1/jobs/ack'],
    ['post', '/v1/jobs/release'],
    ['post', '/v1/jobs/claim'],
    ['get', '/v1/jobs/{id}'],
    ['post', '/v1/jobs/{id}/complete'],
    ['post', '/v1/jobs/{id}/fail'],
    ['post', '/v1/jobs/{id}/heartbeat'],
    ['post', '/v1/jobs/{id}/cancel'],
    ['post', '/v1/jobs/{id}/retry'],
    ['get', '/v1/stats'],
    ['get', '/v1/stats/history'],
    ['get', '/v1/dead-letter'],
    ['post', '/v1/dead-letter/redrive'],
    ['post', '/v1/jobs/{id}/progress'],
    ['get', '/v1/queues'],
    ['post', '/v1/queues/{queue}/pause'],
    ['post', '/v1/queues/{queue}/resume'],
    ['put', '/v1/queues/{queue}/limits'],
    ['get', '/v1/me'],
    ['post', '/v1/workflows'],
    ['get', '/v1/workflows'],
    ['get', '/v1/workflows/{id}'],
    ['post', '/v1/workflows/{id}/cancel'],
    ['post', '/v1/workflows/{id}/retry'],
    ['post', '/v1/admin/api-keys'],
    ['get', '/v1/admin/api-keys'],
    ['delete', '/v1/admin/api-keys/{id}'],
  ].map(([method, path]) => ({ method: method!, path: path! }));

  it.each(V1_OPERATIONS)(
    '$method $path: documented, needs an API key, documents 401, 403 and another 4xx',
    async ({ method, path }) => {
      const operation = (await openApi()).paths[path]?.[method];
      expect(operation).toBeDefined();
      expect(operation!.security).toEqual([{ 'api-key': [] }]);
      const statuses = Object.keys(operation!.responses);
      expect(statuses).toEqual(expect.arrayContaining(['401', '403']));
      expect(
        statuses.filter((status) => /^4\d\d$/.test(status) && !['401', '403'].includes(status)),
      ).not.toEqual([]);
    },
  );

  it('lists no /v1 operation beyond those, and every one of them needs an API key', async () => {
    const document = await openApi();
    const v1 = operations(document).filter(({ path }) => path.startsWith('/v1/'));
    expect(v1.map(({ method, path }) => `${method} ${path}`).sort()).toEqual(
      V1_OPERATIONS.map(({ method, path }) => `${method} ${path}`).sort(),
    );
    for (const { operation } of v1) expect(operation.security).toEqual([{ 'api-key': [] }]);
  });

  it('declares the API key as a bearer scheme', async () => {
    const response = await request(t.server).get('/openapi.json').expect(200);
    expect(response.body).toMatchObject({
      components: { securitySchemes: { 'api-key': { type: 'http', scheme: 'bearer' } } },
    });
  });

  it('leaves the health probes open: no security requirement on /health/*', async () => {
    const document = await openApi();
    const health = operations(document).filter(({ path }) => path.startsWith('/health/'));
    expect(health.map(({ path }) => path).sort()).toEqual(['/health/live', '/health/ready']);
    for (const { operation } of health) expect(operation.security ?? document.security ?? []).toEqual([]);
  });
});

it('GET /docs serves the API explorer as HTML', async () => {
  const response = await request(t.server).get('/docs').expect(200);
  expect(response.headers['content-type']).toMatch(/^text\/html/);
  expect(response.text).toMatch(/<html/i);
});

let submits = 0;

/** One answer of each kind, from `server`: what helmet, the request id and CORS must be on. */
function everyKindOfAnswer(server: () => App) {
  const key = () => apiClient(server());
  return [
    { label: 'an API answer (200)', send: () => key().get('/v1/stats'), status: 200 },
    {
      label: 'a submit (201)',
      send: () =>
        key()
          .post('/v1/jobs')
          .send({ type: 'hygiene', payload: { n: (submits += 1) } }),
      status: 201,
    },
    { label: 'no API key (401)', send: () => request(server()).get('/v1/stats'), status: 401 },
    { label: 'a validation error (400)', send: () => key().post('/v1/jobs').send({}), status: 400 },
    { label: 'an unknown route (404)', send: () => key().get('/v1/nothing-here'), status: 404 },
    {
      label: 'a body that is not JSON (415)',
      send: () => key().post('/v1/jobs').set('Content-Type', 'text/plain').send('hello'),
      status: 415,
    },
    {
      label: 'a malformed JSON body (400)',
      send: () => key().post('/v1/jobs').set('Content-Type', 'application/json').send('{"type":'),
      status: 400,
    },
    {
      label: 'a body over the limit (413)',
      send: () =>
        key()
          .post('/v1/jobs')
          .send({ type: 'hygiene', payload: { blob: 'x'.repeat(1024 * 1024) } }),
      status: 413,
    },
    { label: 'a health probe', send: () => request(server()).get('/health/live'), status: 200 },
    { label: 'the OpenAPI document', send: () => request(server()).get('/openapi.json'), status: 200 },
  ];
}

describe('every kind of answer', () => {
  const answers = everyKindOfAnswer(() => t.server);

  it.each(answers)('$label carries the security headers from helmet', async ({ send, status }) => {
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toEqual(
      expect.stringContaining("default-src 'self'"),
    );
    expect(response.headers['x-frame-options']).toMatch(/^(DENY|SAMEORIGIN)$/);
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  // The API's answers and probes; the OpenAPI document and its UI are served outside the API.
  const apiAnswers = answers.filter(({ label }) => label !== 'the OpenAPI document');
  it.each(apiAnswers)('$label carries an X-Request-Id to quote to the operator', async ({ send, status }) => {
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

/** A browser's preflight for a JSON submit with an API key. */
const preflight = (server: App, origin: string) =>
  request(server)
    .options('/v1/jobs')
    .set('Origin', origin)
    .set('Access-Control-Request-Method', 'POST')
    .set('Access-Control-Request-Headers', 'authorization,content-type');

describe('CORS', () => {
  it('is off by default: no preflight or request from any origin is allowed', async () => {
    const before = await preflight(t.server, APP_ORIGIN);
    expect(before.headers['access-control-allow-origin']).toBeUndefined();
    const answer = await api().get('/v1/stats').set('Origin', APP_ORIGIN).expect(200);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  });

  describe(`with CONVEYOR_CORS_ORIGINS=${APP_ORIGIN}`, () => {
    const server = () => withCors.app.getHttpServer() as App;

    it('allows the preflight from that origin, with Authorization among the allowed headers', async () => {
      const response = await preflight(server(), APP_ORIGIN);
      expect(response.status).toBeLessThan(300);
      expect(response.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
      const allowed = String(response.headers['access-control-allow-headers'])
        .split(',')
        .map((header) => header.trim().toLowerCase());
      expect(allowed).toEqual(expect.arrayContaining(['authorization', 'content-type']));
      expect(String(response.headers['access-control-allow-methods'])).toContain('POST');
    });

    it.each(everyKindOfAnswer(server))('lets that origin read $label', async ({ send, status }) => {
      const response = await send().set('Origin', APP_ORIGIN);
      expect(response.status).toBe(status);
      expect(response.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    });

    it.each([EVIL_ORIGIN, 'https://app.example.com.evil.example', 'http://app.example.com'])(
      'gives %s no access-control-allow-origin',
      async (origin) => {
        const pre = await preflight(server(), origin);
        expect(pre.headers['access-control-allow-origin']).toBeUndefined();
        const answer = await apiClient(server()).get('/v1/stats').set('Origin', origin).expect(200);
        expect(answer.headers['access-control-allow-origin']).toBeUndefined();
      },
    );
  });
});
