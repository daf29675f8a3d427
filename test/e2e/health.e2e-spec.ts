import request from 'supertest';
import type { App } from 'supertest/types.js';
import { type Instance, startInstance } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { OwnPostgres } from '../support/own-postgres.js';

// A PostgreSQL of its own, so this file can stop and restart it.

let postgres: OwnPostgres;
let app: Instance;

beforeAll(async () => {
  postgres = await OwnPostgres.start('health');
  app = await startInstance(postgres.url, {
    CONVEYOR_MIGRATIONS_RUN: 'true',
    CONVEYOR_READINESS_DB_TIMEOUT_MS: '500',
  });
}, 60_000);
afterAll(async () => {
  await app.close();
  await postgres.dispose();
});

const http = () => request(app.app.getHttpServer() as App);

it('is live and ready, and says why', async () => {
  await http().get('/health/live').expect(200);
  const ready = await http().get('/health/ready').expect(200);
  expect(ready.body).toMatchObject({
    status: 'ok',
    details: {
      database: { status: 'up' },
      migrations: { status: 'up' },
      pool: { status: 'up' },
      worker: { status: 'up' },
    },
  });
});

it('turns unready while PostgreSQL is down, ready again when it returns, and resumes work; liveness stays 200', async () => {
  await postgres.stop();
  const down = await http().get('/health/ready').expect(503);
  expect(down.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(down.body).toMatchObject({
    type: 'urn:conveyor:problem:not-ready',
    checks: { database: { status: 'down' } },
  });
  expect((down.body as { detail: string }).detail).toMatch(/failing: .*database/);
  await http().get('/health/live').expect(200);

  await postgres.restart();
  await eventually(
    async () => {
      await http().get('/health/ready').expect(200);
    },
    20_000,
    200,
  );
  await http().get('/health/live').expect(200);
}, 60_000);
