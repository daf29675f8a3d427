import type { App } from 'supertest/types.js';
import { apiClient, type Instance, startInstance } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { captureLogs } from '../support/log-capture.js';
import { OwnPostgres } from '../support/own-postgres.js';
import { expectProblem } from '../support/problem.js';

// A database outage is not a bug (issue 12): while PostgreSQL is down, submits, claims and
// heartbeats answer 503 database-unavailable with Retry-After, the outage is logged once when it
// starts and once when it ends (with a count), not a stack per request, and the instance resumes
// by itself. A PostgreSQL of its own, so this file can stop and start it.
//
// The only instance of this file: with nestjs-pino, only the first instance's logs reach a capture.

const logs = captureLogs();
let postgres: OwnPostgres;
let instance: Instance;

beforeAll(async () => {
  postgres = await OwnPostgres.start('outage');
  instance = await startInstance(
    postgres.url,
    { CONVEYOR_MIGRATIONS_RUN: 'true', CONVEYOR_ROLE: 'api', LOG_LEVEL: 'info' },
    [],
    logs.destination,
  );
}, 60_000);
afterAll(async () => {
  await instance.close();
  await postgres.dispose();
});

const api = () => apiClient(instance.app.getHttpServer() as App);

it('answers 503 with Retry-After while PostgreSQL is down, logs the outage once, and resumes by itself', async () => {
  await api()
    .post('/v1/jobs')
    .send({ type: 'outage', queue: 'outage', payload: { n: 0 } })
    .expect(201);
  const claimed = await api().post('/v1/jobs/claim').send({ queue: 'outage' }).expect(200);
  const held = (claimed.body as { jobs: { id: string; leaseToken: string }[] }).jobs[0]!;

  await postgres.stop();
  const during = await Promise.all(
    Array.from({ length: 60 }, (_, n) => {
      switch (n % 3) {
        case 0:
          return api().post('/v1/jobs').send({ type: 'outage', payload: { n } });
        case 1:
          return api().post('/v1/jobs/claim').send({ queue: 'outage' });
        default:
          return api().post(`/v1/jobs/${held.id}/heartbeat`).send({ leaseToken: held.leaseToken });
      }
    }),
  );
  for (const response of during) {
    expectProblem(response, 503, 'database-unavailable');
    expect(response.headers['retry-after']).toMatch(/^\d+$/);
  }
  // Long enough for the instance's background tasks (the stats compactor runs every second) to
  // fail against the stopped database too.
  await new Promise((resolve) => setTimeout(resolve, 2500));

  await postgres.restart();
  await eventually(
    async () => {
      await api()
        .post('/v1/jobs')
        .send({ type: 'outage', payload: { n: 'after' } })
        .expect(201);
    },
    20_000,
    200,
  );
  const records = logs.records();
  const messages = records.map((record) => String(record['msg']));
  expect(messages.filter((message) => message.startsWith('database unavailable'))).toHaveLength(1);
  await eventually(() => {
    const ended = logs
      .records()
      .map((record) => String(record['msg']))
      .filter((message) => message.startsWith('database available again'));
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatch(/; (\d+) request\(s\) were answered 503 and (\d+) background run\(s\) failed/);
    expect(Number(/; (\d+) request/.exec(ended[0]!)?.[1])).toBeGreaterThanOrEqual(during.length);
    expect(Number(/and (\d+) background/.exec(ended[0]!)?.[1])).toBeGreaterThanOrEqual(1);
  });
  // Background tasks that failed meanwhile are counted in those two lines, not a warning a run.
  const warnings = logs
    .records()
    .filter((record) => record['level'] === 40)
    .map((record) => String(record['msg']));
  expect(warnings).toEqual([expect.stringMatching(/^database unavailable/)]);
  // No stack per request: the outage is not an error of the service.
  expect(records.filter((record) => record['level'] === 50)).toEqual([]);
}, 60_000);
