import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { App } from 'supertest/types.js';
import { freePort } from '#conveyor/database';
import { apiClient, startInstance, startTestApp, TEST_ADMIN_KEY, type TestApp } from '../support/app.js';
import { createTestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { expectProblem } from '../support/problem.js';

const CLI = fileURLToPath(new URL('../../apps/conveyor/src/apikey-cli.js', import.meta.url));
const MAIN = fileURLToPath(new URL('../../apps/conveyor/src/main.js', import.meta.url));
const run = promisify(execFile);

interface CreatedKey {
  id: string;
  key: string;
  keyPrefix: string;
  namespace: string;
  scopes: string[];
  revokedAt: string | null;
}

let t: TestApp;
const admin = () => apiClient(t.server);

beforeAll(async () => {
  t = await startTestApp({ CONVEYOR_ROLE: 'api', CONVEYOR_AUTH_CACHE_SECONDS: '1' });
});
afterAll(async () => {
  await t.close();
});

async function createKey(body: Record<string, unknown>): Promise<CreatedKey> {
  const response = await admin().post('/v1/admin/api-keys').send(body).expect(201);
  return response.body as CreatedKey;
}

describe('API keys', () => {
  it('are random, shown once, and stored only as a hash', async () => {
    const created = await createKey({ name: 'reports', namespace: 'reports', scopes: ['jobs:read'] });
    expect(created.key).toMatch(/^cvk_[A-Za-z0-9_-]{32}$/);
    expect(created.key.startsWith(created.keyPrefix)).toBe(true);

    const listed = await admin().get('/v1/admin/api-keys').expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(created.key);
    expect((listed.body as { keys: CreatedKey[] }).keys).toContainEqual(
      expect.objectContaining({ id: created.id, namespace: 'reports', scopes: ['jobs:read'] }),
    );
    const { rows } = await t.db.client.query('SELECT * FROM api_keys');
    expect(JSON.stringify(rows)).not.toContain(created.key);
    expect(JSON.stringify(rows)).not.toContain(TEST_ADMIN_KEY);

    await apiClient(t.server, created.key).get('/v1/stats').expect(200);
  });

  it('refuse bad definitions with a 400 naming the field, and create nothing', async () => {
    const before = (await t.db.client.query('SELECT 1 FROM api_keys')).rowCount;
    const bad: [Record<string, unknown>, string][] = [
      [{ namespace: 'a', scopes: ['jobs:read'] }, 'name'],
      [{ name: 'x', namespace: 'Not A Namespace', scopes: ['jobs:read'] }, 'namespace'],
      [{ name: 'x', namespace: 'a', scopes: [] }, 'scopes'],
      [{ name: 'x', namespace: 'a', scopes: ['jobs:everything'] }, 'scopes'],
      [{ name: 'x', namespace: 'a', scopes: ['jobs:read'], expiresAt: '2001-01-01T00:00:00Z' }, 'expiresAt'],
      [{ name: 'x', namespace: 'a', scopes: ['jobs:read'], submitPerSecond: -1 }, 'submitPerSecond'],
      [{ name: 'x', namespace: 'a', scopes: ['jobs:read'], key: 'cvk_choose-my-own' }, 'key'],
    ];
    for (const [body, field] of bad) {
      const response = await admin().post('/v1/admin/api-keys').send(body);
      expectProblem(response, 400, 'validation-error');
      expect((response.body as { errors: { field: string }[] }).errors.map((error) => error.field)).toContain(
        field,
      );
    }
    expect((await t.db.client.query('SELECT 1 FROM api_keys')).rowCount).toBe(before);
  });

  it('stop working when they expire, by the database clock', async () => {
    const { rows } = await t.db.client.query<{ at: Date }>(
      `SELECT now() + interval '1500 milliseconds' AS at`,
    );
    const created = await createKey({
      name: 'short-lived',
      namespace: 'default',
      scopes: ['jobs:read'],
      expiresAt: rows[0]!.at.toISOString(),
    });
    await apiClient(t.server, created.key).get('/v1/stats').expect(200);
    await eventually(
      async () => {
        const response = await apiClient(t.server, created.key).get('/v1/stats');
        expectProblem(response, 401, 'unauthorized');
        expect((response.body as { detail: string }).detail).toMatch(/expired/);
      },
      10_000,
      200,
    );
  });

  it('once revoked, are refused at once here and within seconds on every other instance', async () => {
    const other = await startInstance(t.db.url, { CONVEYOR_ROLE: 'api', CONVEYOR_AUTH_CACHE_SECONDS: '1' });
    try {
      const otherServer = other.app.getHttpServer() as App;
      const created = await createKey({ name: 'to-revoke', namespace: 'default', scopes: ['jobs:read'] });
      // Both instances have seen (and cached) the key as valid.
      await apiClient(t.server, created.key).get('/v1/stats').expect(200);
      await apiClient(otherServer, created.key).get('/v1/stats').expect(200);

      await admin().delete(`/v1/admin/api-keys/${created.id}`).expect(204);
      expectProblem(await apiClient(t.server, created.key).get('/v1/stats'), 401, 'unauthorized');
      const revokedAt = Date.now();
      await eventually(
        async () => {
          expectProblem(await apiClient(otherServer, created.key).get('/v1/stats'), 401, 'unauthorized');
        },
        10_000,
        100,
      );
      expect(Date.now() - revokedAt).toBeLessThan(3000);

      // Revoking again is harmless; an unknown id is a 404, a malformed one a 400.
      await admin().delete(`/v1/admin/api-keys/${created.id}`).expect(204);
      expectProblem(
        await admin().delete('/v1/admin/api-keys/00000000-0000-4000-8000-000000000000'),
        404,
        'api-key-not-found',
      );
      expectProblem(await admin().delete('/v1/admin/api-keys/not-a-uuid'), 400, 'validation-error');
    } finally {
      await other.close();
    }
  });
});

describe('GET /v1/me', () => {
  it("answers the calling key's own description, never the key or its hash", async () => {
    const created = await createKey({
      name: 'dashboard',
      namespace: 'reports',
      scopes: ['jobs:read'],
      expiresAt: '2030-06-30T12:00:00+02:00',
    });
    const me = await apiClient(t.server, created.key).get('/v1/me').expect(200);
    // A read-only key learns it may only read: a dashboard hides the buttons it may not press.
    expect(me.body).toEqual({
      id: created.id,
      name: 'dashboard',
      namespace: 'reports',
      scopes: ['jobs:read'],
      expiresAt: '2030-06-30T10:00:00.000Z',
    });
    const { rows } = await t.db.client.query<{ key_hash: string }>(
      'SELECT key_hash FROM api_keys WHERE id = $1',
      [created.id],
    );
    for (const secret of [created.key, rows[0]!.key_hash, created.keyPrefix]) {
      expect(JSON.stringify(me.body)).not.toContain(secret);
    }
  });

  it('answers any valid key, in the namespace of the key whichever one it acts in', async () => {
    const worker = await createKey({ name: 'worker', namespace: 'default', scopes: ['jobs:work'] });
    expect((await apiClient(t.server, worker.key).get('/v1/me').expect(200)).body).toMatchObject({
      id: worker.id,
      scopes: ['jobs:work'],
      expiresAt: null,
    });
    const asAdmin = await admin().get('/v1/me').set('Conveyor-Namespace', 'reports').expect(200);
    expect(asAdmin.body).toMatchObject({ namespace: 'default', scopes: ['admin'], expiresAt: null });
    expectProblem(
      await apiClient(t.server, worker.key).get('/v1/me').set('Conveyor-Namespace', 'reports'),
      403,
      'namespace-forbidden',
    );
  });

  it('is a 401 without a key, with an unknown key and with a revoked one', async () => {
    const missing = await apiClient(t.server, '').get('/v1/me').unset('Authorization');
    expectProblem(missing, 401, 'unauthorized');
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    expectProblem(
      await apiClient(t.server, 'cvk_not-a-key-anyone-was-given-1234').get('/v1/me'),
      401,
      'unauthorized',
    );
    const revoked = await createKey({ name: 'gone', namespace: 'default', scopes: ['jobs:read'] });
    await admin().delete(`/v1/admin/api-keys/${revoked.id}`).expect(204);
    expectProblem(await apiClient(t.server, revoked.key).get('/v1/me'), 401, 'unauthorized');
  });
});

describe('bootstrap admin key', () => {
  it('on the first start without CONVEYOR_BOOTSTRAP_ADMIN_KEY: written to <data dir>/admin-key (0600), logged by path only', async () => {
    const db = await createTestDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'conveyor-bootstrap-'));
    const file = join(dataDir, 'admin-key');
    // The real entry point, as `npm start` runs it, so the log is the one an operator reads.
    const start = async (): Promise<{ port: number; output: string[]; stop(): Promise<void> }> => {
      const port = await freePort();
      const env: Record<string, string | undefined> = {
        ...process.env,
        DATABASE_URL: db.url,
        PORT: String(port),
        CONVEYOR_ROLE: 'api',
        CONVEYOR_DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
        NODE_ENV: 'production',
      };
      delete env['CONVEYOR_BOOTSTRAP_ADMIN_KEY'];
      const service = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      const output: string[] = [];
      service.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      service.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      const exited = new Promise((resolve) => service.once('exit', resolve));
      await eventually(
        async () => {
          expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
        },
        20_000,
        100,
      );
      return {
        port,
        output,
        async stop() {
          service.kill('SIGTERM');
          await exited;
        },
      };
    };
    try {
      const first = await start();
      try {
        expect(statSync(file).mode & 0o777).toBe(0o600);
        const key = readFileSync(file, 'utf8').trim();
        expect(key).toMatch(/^cvk_/);
        const listed = await fetch(`http://127.0.0.1:${first.port}/v1/admin/api-keys`, {
          headers: { authorization: `Bearer ${key}` },
        });
        expect(listed.status).toBe(200);
        expect(first.output.join('')).toContain(file);
        expect(first.output.join('')).not.toContain(key);
      } finally {
        await first.stop();
      }

      // Later starts leave the keys alone: no second key, no new file.
      rmSync(file);
      await (await start()).stop();
      expect(existsSync(file)).toBe(false);
      const { rows } = await db.client.query('SELECT 1 FROM api_keys');
      expect(rows).toHaveLength(1);
    } finally {
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('with CONVEYOR_BOOTSTRAP_ADMIN_KEY: that key is an admin key, and no file is written', async () => {
    const { rows } = await t.db.client.query<{ scopes: string[]; name: string }>(
      `SELECT scopes, name FROM api_keys WHERE name LIKE 'bootstrap%'`,
    );
    expect(rows).toEqual([{ scopes: ['admin'], name: 'bootstrap (CONVEYOR_BOOTSTRAP_ADMIN_KEY)' }]);
  });
});

describe('npm run apikey', () => {
  const cli = (...args: string[]) =>
    run(process.execPath, [CLI, ...args], {
      env: { ...process.env, DATABASE_URL: t.db.url, LOG_LEVEL: 'silent' },
    });

  it('creates a key (printed alone on stdout), lists it without the key, and revokes it', async () => {
    const created = await cli(
      'create',
      '--name',
      'from-cli',
      '--namespace',
      'cli-team',
      '--scopes',
      'jobs:read',
    );
    const key = created.stdout.trim();
    expect(key).toMatch(/^cvk_[A-Za-z0-9_-]{32}$/);
    const server = t.server;
    await apiClient(server, key).get('/v1/stats').expect(200);
    expectProblem(
      await apiClient(server, key).post('/v1/jobs').send({ type: 't', payload: {} }),
      403,
      'insufficient-scope',
    );

    const listed = await cli('list', '--namespace', 'cli-team');
    expect(listed.stdout).toContain('from-cli');
    expect(listed.stdout).not.toContain(key);
    const id = /^([0-9a-f-]{36})/.exec(listed.stdout)![1]!;

    await cli('revoke', id);
    await eventually(async () => {
      expectProblem(await apiClient(server, key).get('/v1/stats'), 401, 'unauthorized');
    });
  });

  it('refuses bad arguments with exit code 2 and a message', async () => {
    for (const args of [
      [],
      ['create', '--name', 'x', '--namespace', 'ok', '--scopes', 'root'],
      ['create', '--bogus'],
      ['revoke', 'nope'],
    ]) {
      const failure = (await cli(...args).then(
        () => undefined,
        (error: unknown) => error,
      )) as { code: number; stderr: string } | undefined;
      expect(failure).toMatchObject({ code: 2 });
      expect(failure!.stderr.length).toBeGreaterThan(0);
    }
  });
});
