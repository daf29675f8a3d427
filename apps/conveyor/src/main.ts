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
  // The signal handlers come first: a SIGTERM during boot (`docker stop` two seconds after start) is
  // taken once there is something to stop, not lost. Without a handler Node dies at once, and as a
  // container's PID 1 it ignores the signal, so Docker kills it ten seconds later (exit 137).
  let signalled: string | undefined;
  let stop: ((signal: string) => void) | undefined;
  const onSignal = (signal: string): void => {
    if (signalled !== undefined) return;
    signalled = signal;
    if (stop === undefined) logger.log(`${signal} received while booting; shutting down once booted`);
    else stop(signal);
  };
  process.once('SIGTERM', () => {
    onSignal('SIGTERM');
  });
  process.once('SIGINT', () => {
    onSignal('SIGINT');
  });
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
    stop = (signal) => {
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
    if (signalled !== undefined) {
      stop(signalled);
      return;
    }

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
