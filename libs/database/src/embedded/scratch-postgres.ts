import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from './embedded-postgres.js';

export interface ScratchServer {
  /** Connection URL for the `postgres` database of the server. */
  readonly url: string;
  stop(): Promise<void>;
}

export interface ScratchOptions {
  databaseUrl?: string;
  /** Settings of the embedded server (postgresql.conf names and values); not DATABASE_URL's. */
  settings?: Record<string, string>;
}

/**
 * `DATABASE_URL`'s server when set (stop does nothing), otherwise a throwaway embedded PostgreSQL in
 * a temporary directory that stop() removes. For tests, the drift check and benchmarks.
 */
export async function startScratchPostgres({
  databaseUrl = process.env['DATABASE_URL'],
  settings,
}: ScratchOptions = {}): Promise<ScratchServer> {
  if (databaseUrl !== undefined && databaseUrl !== '') {
    return { url: databaseUrl, stop: () => Promise.resolve() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'conveyor-scratch-'));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to enter this directory.
  chmodSync(dir, 0o755);
  const server = await startEmbeddedPostgres({
    dataDir: join(dir, 'postgres'),
    port: 0,
    persistent: false,
    maxConnections: 400,
    settings,
  });
  return {
    url: server.url,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
