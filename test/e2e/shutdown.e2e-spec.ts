import { spawn } from 'node:child_process';
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

it('drains on SIGTERM and exits 0', async () => {
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
  const exited = new Promise<number | null>((resolve) => service.once('exit', resolve));
  const base = `http://127.0.0.1:${port}`;
  await eventually(
    async () => {
      expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    },
    20_000,
    200,
  );

  const submit = async (ms: number): Promise<string> => {
    const response = await fetch(`${base}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_KEY}` },
      body: JSON.stringify({ type: 'sleep', payload: { ms } }),
    });
    return ((await response.json()) as { id: string }).id;
  };
  const short = await submit(500);
  const long = await submit(60_000);
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
