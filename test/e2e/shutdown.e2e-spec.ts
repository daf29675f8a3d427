import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePort } from '#conveyor/database';
import { TEST_ADMIN_KEY } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';

// The production entry point (dist/apps/conveyor/src/main.js) under SIGTERM: stop claiming, give
// running jobs the grace period, hand the rest back uncounted, exit 0.

const MAIN = fileURLToPath(new URL('../../apps/conveyor/src/main.js', import.meta.url));

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

/** The service on its own port, started: `exited` is its exit code, or the signal that ended it. */
async function spawnService() {
  const port = await freePort();
  const service = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      PORT: String(port),
      CONVEYOR_SHUTDOWN_GRACE_MS: '1500',
      CONVEYOR_BOOTSTRAP_ADMIN_KEY: TEST_ADMIN_KEY,
      CONVEYOR_METRICS_PORT: '0',
    },
    stdio: 'ignore',
  });
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    service.once('exit', (code, signal) => {
      resolve(code ?? signal);
    }),
  );
  return { service, exited, port, base: `http://127.0.0.1:${port}` };
}

/** The service on its own port, ready. */
async function boot() {
  const started = await spawnService();
  await eventually(
    async () => {
      expect((await fetch(`${started.base}/health/ready`)).status).toBe(200);
    },
    20_000,
    200,
  );
  return started;
}

async function submit(base: string, type: string, payload: object): Promise<string> {
  const response = await fetch(`${base}/v1/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` },
    body: JSON.stringify({ type, payload }),
  });
  return ((await response.json()) as { id: string }).id;
}

it('drains on SIGTERM and exits 0', async () => {
  const { service, exited, base } = await boot();
  const short = await submit(base, 'sleep', { ms: 500 });
  const long = await submit(base, 'sleep', { ms: 60_000 });
  const status = async (id: string) =>
    (
      await db.client.query<{ status: string; attempts: number }>(
        'SELECT status, attempts FROM jobs WHERE id = $1',
        [id],
      )
    ).rows[0]!;
  await eventually(async () => {
    expect((await status(short)).status).toBe('processing');
    expect((await status(long)).status).toBe('processing');
  });

  service.kill('SIGTERM');
  // Readiness turns 503 at once, while the drain is still running and the server still answers.
  await eventually(
    async () => {
      expect((await fetch(`${base}/health/ready`)).status).toBe(503);
    },
    1000,
    50,
  );
  expect(await exited).toBe(0);
  expect(await status(short)).toEqual({ status: 'completed', attempts: 1 });
  expect(await status(long)).toEqual({ status: 'pending', attempts: 0 });
});

it('answers a request that reaches it on an open connection while it closes, never with a bare 503', async () => {
  const { service, exited, base, port } = await boot();
  // No handler takes this type: a long poll on it holds its connection open through the close.
  const id = await submit(base, 'nobody.handles.this', {});
  const request = (path: string) =>
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TEST_ADMIN_KEY}\r\n\r\n`;
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
  const ended = new Promise<void>((resolve) =>
    socket.once('close', () => {
      resolve();
    }),
  );
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.write(request(`/v1/jobs/${id}?wait=4`));

  service.kill('SIGTERM');
  // The listener closes (new connections are refused) once the drain has handed the server over
  // to its close; the long poll is still open.
  await eventually(
    async () => {
      await expect(fetch(`${base}/health/live`)).rejects.toThrow();
    },
    5000,
    50,
  );
  // A second request on the open connection, pipelined behind the long poll.
  socket.write(request('/v1/stats'));
  await ended;
  expect(await exited).toBe(0);

  const statuses = [...received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((match) => match[1]);
  expect(statuses).toEqual(['200', '200']);
  const second = received.slice(received.lastIndexOf('HTTP/1.1 '));
  expect(second).toMatch(/^connection: close\r$/im);
  expect(second).toMatch(/^x-request-id: /im);
  expect(second).toContain('"queues"');
});

it('takes a SIGTERM that arrives while it boots, and exits 0 once booted', async () => {
  const { service, exited } = await spawnService();
  // Boot has reached the database: the service's role is connected, and the service is not up yet.
  await eventually(
    async () => {
      const { rows } = await db.client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND usename = $1`,
        [db.runtimeRole],
      );
      expect(rows[0]!.n).toBeGreaterThan(0);
    },
    20_000,
    20,
  );
  service.kill('SIGTERM');
  // Not killed by the signal (nor, in a container, by Docker ten seconds later).
  expect(await exited).toBe(0);
});
