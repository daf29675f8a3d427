import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startEmbeddedPostgres } from './embedded/embedded-postgres.js';
import { EMBEDDED_ROLES, provisionRoles } from './roles.js';

export interface DatabaseServer {
  /** Where the service connects (for the embedded server: as its least-privilege runtime role). */
  readonly url: string;
  /** Where migrations run (the schema's owner); undefined when that is not known here. */
  readonly ownerUrl: string | undefined;
  /** True when this process started the server (and so must stop it, last). */
  readonly embedded: boolean;
  stop(): Promise<void>;
}

export interface OpenDatabaseOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPort: number;
  /**
   * When the embedded server of `dataDir` already runs (a started service), connect to it instead
   * of failing to start a second one on the same files. For command-line tools.
   */
  shareRunning?: boolean;
}

/** The port of the PostgreSQL running on `clusterDir`, from its postmaster.pid, if it runs. */
function runningPort(clusterDir: string): number | undefined {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  // Line 1: the postmaster's pid; line 4: its port (PostgreSQL's documented layout).
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port)) return undefined;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it runs as another user (postgres, when we are root); anything else: it is gone.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return port;
}

/**
 * `DATABASE_URL` when set; otherwise an embedded PostgreSQL kept in `<dataDir>/postgres`, with a
 * database `conveyor` owned by the role `conveyor_owner` (which runs the migrations) and used by the
 * role `conveyor_app` (the service: least privilege), both made here with the cluster's password.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseServer> {
  if (options.databaseUrl !== undefined) {
    return { url: options.databaseUrl, ownerUrl: undefined, embedded: false, stop: () => Promise.resolve() };
  }
  const clusterDir = join(options.dataDir, 'postgres');
  const password = (): string => readFileSync(`${resolve(clusterDir)}.password`, 'utf8').trim();
  const port = options.shareRunning === true ? runningPort(clusterDir) : undefined;
  if (port !== undefined) {
    // A command-line tool beside the running service: the owner, which may do what tools need.
    const url = `postgres://${EMBEDDED_ROLES.owner}:${encodeURIComponent(password())}@127.0.0.1:${port}/conveyor`;
    return { url, ownerUrl: url, embedded: false, stop: () => Promise.resolve() };
  }
  const server = await startEmbeddedPostgres({
    dataDir: clusterDir,
    port: options.embeddedPort,
    persistent: true,
  });
  try {
    const urls = await provisionRoles(server.url, 'conveyor', EMBEDDED_ROLES, password());
    return { url: urls.runtime, ownerUrl: urls.owner, embedded: true, stop: () => server.stop() };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
