import type { INestApplication, Type } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { loadConfig } from '#conveyor/config';
import { createApp } from '#conveyor-app';
import { createTestDatabase, type TestDatabase } from './database.js';

/** The admin key every test instance is booted with (CONVEYOR_BOOTSTRAP_ADMIN_KEY). */
export const TEST_ADMIN_KEY = 'cvk_test-admin-key-for-the-test-suite-only';

/** Supertest against `server`, every request sent with `key` (the test admin key by default). */
export function apiClient(server: App, key: string = TEST_ADMIN_KEY) {
  const auth = { Authorization: `Bearer ${key}` };
  return {
    get: (path: string) => request(server).get(path).set(auth),
    post: (path: string) => request(server).post(path).set(auth),
    delete: (path: string) => request(server).delete(path).set(auth),
  };
}

export interface TestApp {
  app: INestApplication;
  server: App;
  db: TestDatabase;
  close(): Promise<void>;
}

export interface Instance {
  app: INestApplication;
  close(): Promise<void>;
}

/**
 * One more instance of the real application on an existing database, as main.ts builds it minus
 * the listener: its worker, reaper and scheduler run. `env` overrides configuration.
 */
export async function startInstance(
  url: string,
  env: Record<string, string> = {},
  handlerModules: Type[] = [],
  logDestination?: DestinationStream,
): Promise<Instance> {
  const config = loadConfig({
    CONVEYOR_MIGRATIONS_RUN: 'false',
    LOG_LEVEL: 'silent',
    CONVEYOR_BOOTSTRAP_ADMIN_KEY: TEST_ADMIN_KEY,
    ...env,
  });
  const app = await createApp(config, url, {
    handlerModules,
    ...(logDestination === undefined ? {} : { logDestination }),
  });
  try {
    await app.init();
    // Fastify routes requests only once its plugins have loaded.
    await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
  } catch (error) {
    await app.close();
    throw error;
  }
  return { app, close: () => app.close() };
}

/** The real application on a fresh database, with its HTTP server for supertest. */
export async function startTestApp(
  env: Record<string, string> = {},
  handlerModules: Type[] = [],
): Promise<TestApp> {
  const db = await createTestDatabase();
  const { app } = await startInstance(db.url, env, handlerModules);
  return {
    app,
    server: app.getHttpServer() as App,
    db,
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
