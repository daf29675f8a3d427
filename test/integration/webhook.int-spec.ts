import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { CommandBus } from '@nestjs/cqrs';
import { CALLBACK_JOB, SubmitJobCommand } from '#conveyor/jobs';
import { SIGNATURE_HEADER } from '#conveyor/worker';
import { type Instance, startInstance } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { submitJob } from '../support/instance-suite.js';

const SECRET = 'test-webhook-secret';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let db: TestDatabase;
let app: Instance;
let server: Server;
let port: number;
const received: Received[] = [];
/** Status codes to answer, per path, in order; 200 once a path's list is used up. */
const script = new Map<string, number[]>();

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      received.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.statusCode = script.get(path)?.shift() ?? 200;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  db = await createTestDatabase();
  app = await startInstance(db.url, {
    CONVEYOR_WEBHOOK_ALLOWED_HOSTS: `127.0.0.1:${port}`,
    CONVEYOR_WEBHOOK_SECRET: SECRET,
    CONVEYOR_POLL_INTERVAL_MS: '50',
  });
});
afterAll(async () => {
  await app.close();
  await db.drop();
  await new Promise((resolve) => server.close(resolve));
});

async function webhook(url: string, body: unknown = { hello: 'world' }): Promise<string> {
  const { job } = await app.app.get(CommandBus).execute(
    new SubmitJobCommand({
      namespace: 'default',
      type: 'webhook',
      queue: null,
      payload: { url, body },
      priority: 0,
      runAt: null,
      maxAttempts: 3,
      backoff: { type: 'fixed', delayMs: 50, maxDelayMs: 50 },
      idempotencyKey: null,
      dedupeWindowSeconds: null,
    }),
  );
  return job.id;
}

async function settled(id: string): Promise<{ status: string; attempts: number; last_error: string | null }> {
  return eventually(async () => {
    const { rows } = await db.client.query<{ status: string; attempts: number; last_error: string | null }>(
      'SELECT status, attempts, last_error FROM jobs WHERE id = $1',
      [id],
    );
    expect(['completed', 'dead_letter']).toContain(rows[0]!.status);
    return rows[0]!;
  });
}

const hits = (path: string) => received.filter((request) => request.path === path);

it('POSTs the JSON body with a verifiable signature', async () => {
  const id = await webhook(`http://127.0.0.1:${port}/ok`, { order: 17 });
  expect(await settled(id)).toMatchObject({ status: 'completed', attempts: 1 });
  const [request] = hits('/ok');
  expect(request!.body).toBe('{"order":17}');
  expect(request!.headers['content-type']).toBe('application/json');
  expect(request!.headers['conveyor-job-id']).toBe(id);
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(request!.headers[SIGNATURE_HEADER]));
  expect(match).not.toBeNull();
  const expected = createHmac('sha256', SECRET).update(`${match![1]}.${request!.body}`).digest('hex');
  expect(match![2]).toBe(expected);
});

it('retries a 500 and succeeds on the next attempt', async () => {
  script.set('/flaky', [500]);
  const id = await webhook(`http://127.0.0.1:${port}/flaky`);
  expect(await settled(id)).toMatchObject({ status: 'completed', attempts: 2 });
  expect(hits('/flaky')).toHaveLength(2);
});

it('dead-letters a 400 at once', async () => {
  script.set('/bad', [400, 400, 400]);
  const id = await webhook(`http://127.0.0.1:${port}/bad`);
  expect(await settled(id)).toMatchObject({
    status: 'dead_letter',
    attempts: 1,
    last_error: 'webhook answered 400',
  });
  expect(hits('/bad')).toHaveLength(1);
});

it('dead-letters a host that is not allowed, without sending anything', async () => {
  const before = received.length;
  const id = await webhook(`http://localhost:${port}/elsewhere`);
  expect(await settled(id)).toMatchObject({ status: 'dead_letter', attempts: 1 });
  expect(received).toHaveLength(before);
});

describe('completion callbacks', () => {
  const submit = (callbackUrl: string) =>
    submitJob(app, { type: 'noop', payload: { callback: callbackUrl }, callbackUrl });

  it('POST the outcome once when the job finishes, signed, retried through a receiver outage', async () => {
    script.set('/done', [503, 503]);
    const { job } = await submit(`http://127.0.0.1:${port}/done`);
    const delivered = await eventually(() => {
      const attempts = received.filter((request) => request.path === '/done');
      expect(attempts).toHaveLength(3);
      return attempts;
    }, 15_000);
    const last = delivered[2]!;
    expect(JSON.parse(last.body)).toMatchObject({
      jobId: job.id,
      namespace: 'default',
      type: 'noop',
      status: 'completed',
      attempts: 1,
    });
    expect(String(last.headers[SIGNATURE_HEADER])).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    // One callback job for the one terminal state, in the service's namespace, delivered. The
    // receiver answers before the worker commits the completion, so the row settles a moment later.
    await eventually(async () => {
      const { rows } = await db.client.query<{ status: string; attempts: number; namespace: string }>(
        `SELECT status, attempts, namespace FROM jobs WHERE type = $1 AND payload->'body'->>'jobId' = $2`,
        [CALLBACK_JOB.type, job.id],
      );
      expect(rows).toEqual([{ status: 'completed', attempts: 3, namespace: CALLBACK_JOB.namespace }]);
    }, 5_000);
  });

  it('are refused at submit for a host that is not allowed', async () => {
    await expect(submit('http://169.254.169.254/latest/meta-data')).rejects.toMatchObject({
      field: 'callbackUrl',
    });
  });
});
