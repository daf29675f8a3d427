import request from 'supertest';
import type { App } from 'supertest/types.js';
import { apiClient, type Instance, startInstance } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { captureLogs } from '../support/log-capture.js';

const CANARY = 'canary-5b1e9f';
const logs = captureLogs();
const { destination: capture, lines } = logs;
const records = (): Record<string, unknown>[] => logs.records();
/** The lines that carry the request with this id. */
const linesOf = (requestId: string): Record<string, unknown>[] =>
  records().filter((record) => (record['req'] as { id?: string } | undefined)?.id === requestId);

let db: TestDatabase;
let app: Instance;
beforeAll(async () => {
  db = await createTestDatabase();
  app = await startInstance(
    db.url,
    { LOG_LEVEL: 'info', CONVEYOR_SECRET_PAYLOAD_FIELDS: 'password', CONVEYOR_POLL_INTERVAL_MS: '50' },
    [],
    capture,
  );
});
afterAll(async () => {
  await app.close();
  await db.drop();
});

it('writes JSON lines: requests with their id, jobs with their fields, and never a secret', async () => {
  const response = await apiClient(app.app.getHttpServer() as App)
    .post('/v1/jobs')
    .set('X-Request-Id', 'req-from-client-1')
    .set('Cookie', `session=${CANARY}`)
    .send({
      type: 'webhook',
      payload: { url: 'http://not-allowed.example/hook', body: { password: CANARY } },
    })
    .expect(201);
  expect(response.headers['x-request-id']).toBe('req-from-client-1');
  const jobId = (response.body as { id: string }).id;

  await eventually(() => {
    expect(records().find((record) => record['jobId'] === jobId)).toMatchObject({
      jobType: 'webhook',
      queue: 'default',
      attempt: 1,
      level: 40,
    });
  });
  expect(linesOf('req-from-client-1')[0]).toMatchObject({
    req: { method: 'POST', url: '/v1/jobs' },
    res: { statusCode: 201 },
    // Who did it: the key's id, which an admin can look up; never the key.
    api_key_id: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
  });
  expect(lines.join('\n')).not.toContain(CANARY);
});

it('mints a request id when the client sends none, or an unusable one', async () => {
  const server = app.app.getHttpServer() as App;
  const minted = await apiClient(server).get('/v1/stats').expect(200);
  expect(minted.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  const replaced = await apiClient(server)
    .get('/v1/stats')
    .set('X-Request-Id', 'bad id with spaces')
    .expect(200);
  expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
});

it('logs API requests with their query string, but not probes', async () => {
  const server = app.app.getHttpServer() as App;
  await request(server).get('/health/live').expect(200);
  await apiClient(server).get('/v1/jobs?limit=1').set('X-Request-Id', 'req-listing-1').expect(200);
  const listing = await eventually(() => {
    const [line] = linesOf('req-listing-1');
    expect(line).toBeDefined();
    return line!;
  });
  expect(listing).toMatchObject({
    req: { method: 'GET', url: '/v1/jobs?limit=1' },
    res: { statusCode: 200 },
  });
  const urls = records().map((record) => (record['req'] as { url?: string } | undefined)?.url);
  expect(urls.filter((url) => url?.startsWith('/health'))).toEqual([]);
});

it('logs an unexpected error with the id of the request it failed', async () => {
  // A fault the service has no answer for: the table the stats are read from is gone.
  await db.client.query('ALTER TABLE job_counts RENAME TO job_counts_away');
  try {
    await apiClient(app.app.getHttpServer() as App)
      .get('/v1/stats')
      .set('X-Request-Id', 'req-failing-1')
      .expect(500);
  } finally {
    await db.client.query('ALTER TABLE job_counts_away RENAME TO job_counts');
  }
  expect(linesOf('req-failing-1')).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ level: 50, msg: expect.stringContaining('job_counts') as unknown }),
      expect.objectContaining({ res: { statusCode: 500 }, msg: 'request errored' }),
    ]),
  );
});
