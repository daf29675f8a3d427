import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from '#conveyor/config';
import { type DatabaseServer, openDatabase } from '#conveyor/database';
import { flushTraces } from '#conveyor/telemetry';
import { createApp } from './create-app.js';
import { ShutdownSignal } from './health/readiness.js';

const logger = new Logger('Conveyor');

async function main(): Promise<void> {
  const config = loadConfig();
  let database: DatabaseServer | undefined;
  try {
    database = await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      embeddedPort: config.embeddedPostgresPort,
      log: (message) => {
        logger.warn(message);
      },
    });
    if (database.embedded) logger.log(`embedded PostgreSQL running, data in ${database.clusterDir}`);
    const app = await createApp(config, database.url, {
      ownerDatabaseUrl: database.ownerUrl ?? config.migrationDatabaseUrl,
    });

    // We own the shutdown order: stop taking requests and finish those in flight, close the
    // pool, and only then stop an embedded PostgreSQL.
    const server = database;
    let closing = false;
    const shutdown = (signal: string): void => {
      if (closing) return;
      closing = true;
      logger.log(`${signal} received, shutting down`);
      app.get(ShutdownSignal).startDraining();
      app
        .close()
        .then(() => server.stop())
        .then(() => flushTraces())
        .then(() => process.exit(0))
        .catch((error: unknown) => {
          logger.error(error instanceof Error ? error.stack : String(error));
          process.exit(1);
        });
    };
    process.once('SIGTERM', () => {
      shutdown('SIGTERM');
    });
    process.once('SIGINT', () => {
      shutdown('SIGINT');
    });

    // Every interface: in a container, probes and peers do not come from localhost.
    await app.listen(config.port, '0.0.0.0');
    logger.log(`listening on port ${config.port}`);
  } catch (error) {
    logger.error(`boot failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await database?.stop();
    process.exit(1);
  }
}

await main();
