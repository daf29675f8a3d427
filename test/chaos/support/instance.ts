/**
 * One Conveyor instance of a chaos scenario, as `npm start` runs it: the production app (REST API,
 * worker, reaper) plus the chaos handlers, listening on PORT, on the database in DATABASE_URL.
 * Prints "ready" once it listens. Killed with SIGKILL by the scenarios; SIGTERM drains it.
 */
import 'reflect-metadata';
import { loadConfig } from '#conveyor/config';
import { createApp } from '#conveyor-app';
import { TEST_ADMIN_KEY } from '../../support/app.js';
import { ChaosHandlersModule } from './chaos-handlers.js';

const config = loadConfig({
  LOG_LEVEL: 'warn',
  CONVEYOR_BOOTSTRAP_ADMIN_KEY: TEST_ADMIN_KEY,
  CONVEYOR_METRICS_PORT: 'off',
  CONVEYOR_EXAMPLE_HANDLERS: 'false',
  CONVEYOR_MIGRATIONS_RUN: 'false',
  CONVEYOR_RATE_LIMIT_SUBMIT: '0',
  CONVEYOR_RATE_LIMIT_READ: '0',
  ...process.env,
});
if (config.databaseUrl === undefined) throw new Error('DATABASE_URL is required');
const app = await createApp(config, config.databaseUrl, { handlerModules: [ChaosHandlersModule] });
await app.listen(config.port, '127.0.0.1');
process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
process.stdout.write('ready\n');
