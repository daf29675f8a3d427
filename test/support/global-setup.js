// Plain JS: Jest loads global setup natively. Starts one PostgreSQL for the whole run unless
// DATABASE_URL names one; every test file then creates its own database on it (database.ts).
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default async function globalSetup() {
  if (process.env.DATABASE_URL) {
    process.env.CONVEYOR_TEST_SERVER_URL = process.env.DATABASE_URL;
    return;
  }
  const { startEmbeddedPostgres } =
    await import('../../dist/libs/database/src/embedded/embedded-postgres.js');
  const dir = mkdtempSync(join(tmpdir(), 'conveyor-test-'));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to enter this directory.
  chmodSync(dir, 0o755);
  const server = await startEmbeddedPostgres({
    dataDir: join(dir, 'postgres'),
    port: 0,
    persistent: false,
    maxConnections: 400,
  });
  globalThis.conveyorTestPostgres = { server, dir };
  process.env.CONVEYOR_TEST_SERVER_URL = server.url;
}
