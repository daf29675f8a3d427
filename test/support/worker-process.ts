/**
 * A real Conveyor process for the crash tests: the production app plus the test handlers, on the
 * database in DATABASE_URL, without the HTTP listener. Prints "ready" once its worker runs.
 */
import 'reflect-metadata';
import { loadConfig } from '#conveyor/config';
import { createApp } from '#conveyor-app';
import { TEST_ADMIN_KEY } from './app.js';
import { TestHandlersModule } from './test-handlers.js';

const config = loadConfig({
  LOG_LEVEL: 'error',
  CONVEYOR_BOOTSTRAP_ADMIN_KEY: TEST_ADMIN_KEY,
  // Several of these run at once: a metrics port each would collide.
  CONVEYOR_METRICS_PORT: 'off',
  ...process.env,
});
if (config.databaseUrl === undefined) throw new Error('DATABASE_URL is required');
const app = await createApp(config, config.databaseUrl, { handlerModules: [TestHandlersModule] });
await app.init();
process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
process.stdout.write('ready\n');
