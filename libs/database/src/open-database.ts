import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startEmbeddedPostgres } from './embedded/embedded-postgres.js';
import { clusterDirFor } from './embedded/postgres-installation.js';
import { postgresRunAs } from './embedded/postgres-user.js';
import { runningPostmaster } from './embedded/postmaster.js';
import { EMBEDDED_ROLES, provisionRoles } from './roles.js';

export type DatabaseServer = {
  /** Where the service connects (for the embedded server: as its least-privilege runtime role). */
  readonly url: string;
  /** Where migrations run (the schema's owner); undefined when that is not known here. */
  readonly ownerUrl: string | undefined;
  stop(): Promise<void>;
} & (
  | {
      /** This process started the server (and so must stop it, last), on the files in `clusterDir`. */
      readonly embedded: true;
      readonly clusterDir: string;
    }
  | { readonly embedded: false }
);

export interface OpenDatabaseOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPort: number;
  /**
   * When the embedded server of `dataDir` already runs (a started service), connect to it instead
   * of failing to start a second one on the same files. For command-line tools.
   */
  shareRunning?: boolean;
  /** Where the embedded server's supervisor reports (a restart after PostgreSQL died). */
  log?: (message: string) => void;
}

/**
 * `DATABASE_URL` when set; otherwise an embedded PostgreSQL kept in `<dataDir>/postgres` (as root,
 * elsewhere when the `postgres` user cannot reach it: clusterDirFor), with a database `conveyor`
 * owned by the role `conveyor_owner` (which runs the migrations) and used by the role `conveyor_app`
 * (the service: least privilege), both made here with the cluster's password.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseServer> {
  if (options.databaseUrl !== undefined) {
    return { url: options.databaseUrl, ownerUrl: undefined, embedded: false, stop: () => Promise.resolve() };
  }
  mkdirSync(options.dataDir, { recursive: true });
  const clusterDir = clusterDirFor(options.dataDir, postgresRunAs());
  const password = (): string => readFileSync(`${resolve(clusterDir)}.password`, 'utf8').trim();
  const port = options.shareRunning === true ? runningPostmaster(clusterDir)?.port : undefined;
  if (port !== undefined) {
    // A command-line tool beside the running service: the owner, which may do what tools need.
    const url = `postgres://${EMBEDDED_ROLES.owner}:${encodeURIComponent(password())}@127.0.0.1:${port}/conveyor`;
    return { url, ownerUrl: url, embedded: false, stop: () => Promise.resolve() };
  }
  const server = await startEmbeddedPostgres({
    dataDir: clusterDir,
    port: options.embeddedPort,
    persistent: true,
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  try {
    const urls = await provisionRoles(server.url, 'conveyor', EMBEDDED_ROLES, password());
    return { url: urls.runtime, ownerUrl: urls.owner, embedded: true, clusterDir, stop: () => server.stop() };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
