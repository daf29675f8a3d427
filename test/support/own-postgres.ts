import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type EmbeddedPostgresHandle,
  ensureDatabase,
  freePort,
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
  ) {}

  static async start(label: string): Promise<OwnPostgres> {
    const dir = mkdtempSync(join(tmpdir(), `conveyor-${label}-`));
    // The server runs as another user when the tests run as root.
    chmodSync(dir, 0o755);
    const port = await freePort();
    const server = await OwnPostgres.boot(dir, port);
    await ensureDatabase(server.url, 'conveyor');
    return new OwnPostgres(dir, port, server, withDatabase(server.url, 'conveyor'));
  }

  private static boot(dir: string, port: number): Promise<EmbeddedPostgresHandle> {
    return startEmbeddedPostgres({ dataDir: join(dir, 'postgres'), port, persistent: true });
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  /** Starts it again after stop(), on the same port and data. */
  async restart(): Promise<void> {
    this.server = await OwnPostgres.boot(this.dir, this.port);
  }

  async dispose(): Promise<void> {
    await this.server.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
