import { join } from 'node:path';
import { ensureDatabase, withDatabase } from './database-url.js';
import { startEmbeddedPostgres } from './embedded/embedded-postgres.js';

export interface DatabaseServer {
  /** Where the service connects. */
  readonly url: string;
  /** True when this process started the server (and so must stop it, last). */
  readonly embedded: boolean;
  stop(): Promise<void>;
}

export interface OpenDatabaseOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPort: number;
}

/** `DATABASE_URL` when set; otherwise an embedded PostgreSQL kept in `<dataDir>/postgres`. */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseServer> {
  if (options.databaseUrl !== undefined) {
    return { url: options.databaseUrl, embedded: false, stop: () => Promise.resolve() };
  }
  const server = await startEmbeddedPostgres({
    dataDir: join(options.dataDir, 'postgres'),
    port: options.embeddedPort,
    persistent: true,
  });
  await ensureDatabase(server.url, 'conveyor');
  return { url: withDatabase(server.url, 'conveyor'), embedded: true, stop: () => server.stop() };
}
