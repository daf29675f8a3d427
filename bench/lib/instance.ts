/**
 * A Conveyor instance for the workloads that look inside a handler: the production app, as
 * main.ts makes it, plus the bench handlers (bench-handlers.ts). Configured by
 * the environment like `npm start`; DATABASE_URL is required (the bench's own database).
 */
import 'reflect-metadata';
import { loadConfig } from '#conveyor/config';
import { createApp } from '#conveyor-app';
import { BenchHandlersModule } from './bench-handlers.js';

const config = loadConfig();
if (config.databaseUrl === undefined) throw new Error('DATABASE_URL is required');
const app = await createApp(config, config.databaseUrl, {
  ownerDatabaseUrl: config.migrationDatabaseUrl,
  handlerModules: [BenchHandlersModule],
});
await app.listen(config.port, '127.0.0.1');
process.once('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
