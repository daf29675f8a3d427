import type { INestApplication } from '@nestjs/common';
import type { App } from 'supertest/types.js';
import { MetricsServer } from '#conveyor/metrics';
import { apiClient, startInstance, startTestApp, TEST_ADMIN_KEY, type TestApp } from '../support/app.js';
import { eventually } from '../support/eventually.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    CONVEYOR_POLL_INTERVAL_MS: '50',
    CONVEYOR_REAPER_INTERVAL_MS: '100',
    CONVEYOR_METRICS_PORT: '0',
  });
});
afterAll(async () => {
  await t.close();
});

const api = () => apiClient(t.server);

/** The value of one sample, e.g. value(text, 'conveyor_jobs_submitted_total{queue="default",type="noop"}'). */
function value(text: string, sample: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}

/** GET `path` on the metrics port of `app`, with `key` as a bearer key if given. */
function metricsPort(app: INestApplication, path = '/metrics', key?: string): Promise<Response> {
  const port = app.get(MetricsServer).port;
  if (port === null) throw new Error('the metrics server is not listening');
  return fetch(`http://127.0.0.1:${port}${path}`, {
    headers: key === undefined ? {} : { Authorization: `Bearer ${key}` },
  });
}

async function scrape(): Promise<string> {
  const response = await metricsPort(t.app);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

it('exposes every documented metric', async () => {
  const text = await scrape();
  for (const name of [
    'conveyor_jobs_submitted_total',
    'conveyor_jobs_deduplicated_total',
    'conveyor_jobs_completed_total',
    'conveyor_jobs_failed_total',
    'conveyor_jobs_dead_lettered_total',
    'conveyor_job_wait_seconds',
    'conveyor_job_run_seconds',
    'conveyor_queue_depth',
    'conveyor_queue_oldest_pending_seconds',
    'conveyor_lease_expired_total',
    'conveyor_db_pool_connections',
    'conveyor_db_pool_waiting',
  ]) {
    expect(text).toContain(`# TYPE ${name} `);
  }
  expect(text).toMatch(/^conveyor_db_pool_connections\{state="idle"\} \d+$/m);
});

it('moves with submits, completions, failures and expired leases', async () => {
  const noop = 'conveyor_jobs_submitted_total{queue="default",type="noop"}';
  const before = await scrape();
  await api()
    .post('/v1/jobs')
    .send({ type: 'noop', payload: { m: 1 } })
    .expect(201);
  await api()
    .post('/v1/jobs')
    .send({ type: 'noop', payload: { m: 1 } })
    .expect(200);
  await eventually(async () => {
    const text = await scrape();
    expect(value(text, noop)).toBe(value(before, noop) + 1);
    expect(value(text, 'conveyor_jobs_deduplicated_total{queue="default",type="noop"}')).toBe(1);
    expect(value(text, 'conveyor_jobs_completed_total{queue="default",type="noop"}')).toBe(1);
    expect(value(text, 'conveyor_job_wait_seconds_count{queue="default",type="noop"}')).toBe(1);
    expect(value(text, 'conveyor_job_run_seconds_count{queue="default",type="noop"}')).toBe(1);
  });

  // A REST worker fails one job for good and abandons another.
  for (const n of [1, 2])
    await api().post('/v1/jobs').send({ type: 'external', queue: 'm', payload: { n } }).expect(201);
  expect(value(await scrape(), 'conveyor_queue_depth{queue="m",status="pending"}')).toBe(2);
  const claim = await api().post('/v1/jobs/claim').send({ queue: 'm', limit: 2 }).expect(200);
  const [dead, abandoned] = (claim.body as { jobs: { id: string; leaseToken: string }[] }).jobs;
  await api()
    .post(`/v1/jobs/${dead!.id}/fail`)
    .send({ leaseToken: dead!.leaseToken, error: 'no', retryable: false })
    .expect(200);
  await t.db.expireLeases([abandoned!.id]);
  await eventually(async () => {
    const text = await scrape();
    expect(value(text, 'conveyor_jobs_dead_lettered_total{queue="m",type="external"}')).toBe(1);
    expect(value(text, 'conveyor_lease_expired_total{queue="m",type="external"}')).toBe(1);
    expect(value(text, 'conveyor_jobs_failed_total{queue="m",type="external"}')).toBe(1); // reaped: retry scheduled
    expect(value(text, 'conveyor_queue_depth{queue="m",status="dead_letter"}')).toBe(1);
  });
});

it('never puts ids or payloads into labels', async () => {
  const response = await api()
    .post('/v1/jobs')
    .send({ type: 'noop', payload: { secret: 'canary-7d3f' } })
    .expect(201);
  const text = await scrape();
  expect(text).not.toContain('canary-7d3f');
  expect(text).not.toContain((response.body as { id: string }).id);
});

it('is served on its own port, not on the API', async () => {
  await api().get('/metrics').expect(404);
  expect((await metricsPort(t.app, '/')).status).toBe(404);
  const put = await fetch(`http://127.0.0.1:${t.app.get(MetricsServer).port}/metrics`, { method: 'PUT' });
  expect(put.status).toBe(405);
  expect(put.headers.get('content-type')).toBe('application/problem+json');
  expect(put.headers.get('x-content-type-options')).toBe('nosniff');
  expect(put.headers.get('cache-control')).toBe('no-store');
});

it('is open by default, and needs a metrics:read (or admin) key with CONVEYOR_METRICS_AUTH=true', async () => {
  expect((await metricsPort(t.app)).status).toBe(200);
  const guarded = await startInstance(t.db.url, {
    CONVEYOR_ROLE: 'api',
    CONVEYOR_METRICS_AUTH: 'true',
    CONVEYOR_METRICS_PORT: '0',
  });
  try {
    const server = guarded.app.getHttpServer() as App;
    const keyWith = async (scopes: string[]) =>
      (
        (
          await apiClient(server)
            .post('/v1/admin/api-keys')
            .send({ name: 'scraper', namespace: 'ops', scopes })
            .expect(201)
        ).body as { key: string }
      ).key;
    const anonymous = await metricsPort(guarded.app);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await metricsPort(guarded.app, '/metrics', await keyWith(['jobs:read']))).status).toBe(403);
    expect((await metricsPort(guarded.app, '/metrics', await keyWith(['metrics:read']))).status).toBe(200);
    expect((await metricsPort(guarded.app, '/metrics', TEST_ADMIN_KEY)).status).toBe(200);
  } finally {
    await guarded.close();
  }
});

it('serves no port with CONVEYOR_METRICS_PORT=off', async () => {
  const quiet = await startInstance(t.db.url, { CONVEYOR_ROLE: 'api', CONVEYOR_METRICS_PORT: 'off' });
  try {
    expect(quiet.app.get(MetricsServer).port).toBeNull();
  } finally {
    await quiet.close();
  }
});
