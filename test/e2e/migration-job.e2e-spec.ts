import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { parse } from 'yaml';
import { dropDatabase, freePort, provisionRoles, type DatabaseUrls } from '#conveyor/database';
import { CONVEYOR_MIGRATIONS } from '#conveyor-schema';

// The Kubernetes migration Job's command (deploy/k8s/migrate.mjs), with the environment its
// manifests give it, on a database that has the two roles and nothing else: it must apply every
// migration as the owner, grant the runtime role, create the bootstrap admin key, and exit 0; a
// boot that fails must fail the Job.
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const MANIFESTS = new URL('../../../deploy/k8s/', import.meta.url);
const ROLES = { owner: 'conveyor_job_owner', runtime: 'conveyor_job_app' };
const BOOTSTRAP_KEY = `cvk_${randomBytes(24).toString('base64url')}`;

interface JobManifest {
  spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } };
}

/** conveyor.env, then the Job's own `env` values: what the Job's container starts with, secrets aside. */
function jobEnvironment(): Record<string, string> {
  const settings = readFileSync(new URL('conveyor.env', MANIFESTS), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]);
  const job = parse(readFileSync(new URL('migrate-job.yaml', MANIFESTS), 'utf8'), {
    version: '1.1',
  }) as JobManifest;
  const [container] = job.spec.template.spec.containers;
  const literals = (container?.env ?? []).flatMap(({ name, value }) =>
    value === undefined ? [] : [[name, value]],
  );
  return Object.fromEntries([...settings, ...literals]) as Record<string, string>;
}

/** The Job's exit code, and what it wrote to stderr (the service's logs go to stdout). */
function runJob(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  // The test run's own DATABASE_URL, when it has one, is not the Job's.
  const inherited = { ...process.env };
  delete inherited['DATABASE_URL'];
  const job = spawn(process.execPath, [fileURLToPath(new URL('migrate.mjs', MANIFESTS))], {
    cwd: REPO,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  job.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => {
    job.on('exit', (code) => {
      resolve({ code, stderr });
    });
  });
}

const server = process.env['CONVEYOR_TEST_SERVER_URL'] ?? '';
const database = `conveyor_job_${randomBytes(6).toString('hex')}`;
let urls: DatabaseUrls;
let port: number;

beforeAll(async () => {
  urls = await provisionRoles(server, database, ROLES, 'conveyor-test-only');
  // The pod's port is its own; here the machine's is shared.
  port = await freePort();
});
afterAll(async () => {
  await dropDatabase(server, database);
});

async function asRole(url: string, sql: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<Record<string, unknown>>(sql);
    return rows;
  } finally {
    await client.end();
  }
}

describe('the migration Job (deploy/k8s/migrate.mjs)', () => {
  it('fails when the service cannot boot', async () => {
    const { code, stderr } = await runJob({
      ...jobEnvironment(),
      PORT: String(port),
      DATABASE_URL: urls.runtime,
      CONVEYOR_MIGRATION_DATABASE_URL: urls.owner,
      CONVEYOR_BOOTSTRAP_ADMIN_KEY: 'too-short',
    });
    expect(stderr).toContain('CONVEYOR_BOOTSTRAP_ADMIN_KEY: must be 32 to 256');
    expect(code).not.toBe(0);
  });

  it('applies every migration as the owner, grants the runtime role, and exits 0', async () => {
    const outcome = await runJob({
      ...jobEnvironment(),
      PORT: String(port),
      DATABASE_URL: urls.runtime,
      CONVEYOR_MIGRATION_DATABASE_URL: urls.owner,
      CONVEYOR_BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_KEY,
    });
    // On failure Jest shows the whole outcome, stderr included.
    expect(outcome).toMatchObject({ code: 0 });
    // Read as the runtime role: the grants are in place.
    expect(await asRole(urls.runtime, 'SELECT count(*)::int AS count FROM conveyor_migrations')).toEqual([
      { count: CONVEYOR_MIGRATIONS.length },
    ]);
    expect(await asRole(urls.owner, "SELECT tableowner FROM pg_tables WHERE tablename = 'jobs'")).toEqual([
      { tableowner: ROLES.owner },
    ]);
    expect(await asRole(urls.owner, "SELECT scopes FROM api_keys WHERE name LIKE 'bootstrap%'")).toEqual([
      { scopes: ['admin'] },
    ]);
  }, 90_000);
});
