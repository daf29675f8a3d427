import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type EmbeddedPostgresHandle,
  ensureDatabase,
  freePort,
  runningPostmaster,
  startEmbeddedPostgres,
  withDatabase,
} from '#conveyor/database';

/**
 * A PostgreSQL of a test file's own, on a fixed port and data directory, so that the file can stop
 * it and start it again (outages) without touching the one every other file shares.
 */
export class OwnPostgres {
  private constructor(
    private readonly dir: string,
    private readonly port: number,
    private server: EmbeddedPostgresHandle,
    /** A database `conveyor` on it. */
    readonly url: string,
    /** Messages of its supervisor, such as a restart after the server died. */
    readonly log: string[],
  ) {}

  /** The server itself (its `postgres` database, as the superuser): for createTestDatabase(). */
  get serverUrl(): string {
    return this.server.url;
  }

  static async start(label: string): Promise<OwnPostgres> {
    const dir = mkdtempSync(join(tmpdir(), `conveyor-${label}-`));
    // The server runs as another user when the tests run as root.
    chmodSync(dir, 0o755);
    const port = await freePort();
    const log: string[] = [];
    const server = await OwnPostgres.boot(dir, port, log);
    await ensureDatabase(server.url, 'conveyor');
    return new OwnPostgres(dir, port, server, withDatabase(server.url, 'conveyor'), log);
  }

  private static boot(dir: string, port: number, log: string[]): Promise<EmbeddedPostgresHandle> {
    return startEmbeddedPostgres({
      dataDir: join(dir, 'postgres'),
      port,
      persistent: true,
      log: (message) => log.push(message),
    });
  }

  /**
   * kill -9 of the postmaster, as the OOM killer would: no shutdown, no checkpoint. Its supervisor
   * starts it again (crash recovery), as in production.
   */
  killPostmaster(): void {
    const postmaster = runningPostmaster(join(this.dir, 'postgres'));
    if (postmaster === undefined) throw new Error('PostgreSQL is not running');
    process.kill(postmaster.pid, 'SIGKILL');
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  /** Starts it again after stop(), on the same port and data. */
  async restart(): Promise<void> {
    this.server = await OwnPostgres.boot(this.dir, this.port, this.log);
  }

  async dispose(): Promise<void> {
    await this.server.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
