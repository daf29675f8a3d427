import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication, Type } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { loadConfig } from '#conveyor/config';
import { createApp } from '#conveyor-app';
import { ContractCheck } from './contract.js';
import { createTestDatabase, type TestDatabase } from './database.js';

/** The admin key every test instance is booted with (CONVEYOR_BOOTSTRAP_ADMIN_KEY). */
export const TEST_ADMIN_KEY = 'cvk_test-admin-key-for-the-test-suite-only';

/** Supertest against `server`, every request sent with `key` (the test admin key by default). */
export function apiClient(server: App, key: string = TEST_ADMIN_KEY) {
  const auth = { Authorization: `Bearer ${key}` };
  return {
    get: (path: string) => request(server).get(path).set(auth),
    post: (path: string) => request(server).post(path).set(auth),
    put: (path: string) => request(server).put(path).set(auth),
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
  /** Every answer so far held to /openapi.json; close() fails when any broke it. */
  contract: ContractCheck;
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
    // Many instances share this process: a test that scrapes metrics asks for a port ('0').
    CONVEYOR_METRICS_PORT: 'off',
    ...env,
  });
  const app = await createApp(config, url, {
    handlerModules,
    ...(logDestination === undefined ? {} : { logDestination }),
  });
  const contract = new ContractCheck();
  contract.install(app);
  try {
    await app.init();
    // Fastify routes requests only once its plugins have loaded.
    await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
    await contract.load(app);
  } catch (error) {
    await app.close();
    throw error;
  }
  return {
    app,
    contract,
    async close() {
      // A listener a test opened itself (listen()) is not Fastify's to close.
      const server = app.getHttpServer() as Server;
      if (server.listening) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
      await app.close();
      const violations = contract.check();
      if (violations.length > 0) {
        throw new Error(`answers that break /openapi.json:\n${violations.join('\n')}`);
      }
    },
  };
}

/**
 * An API-only instance without per-key rate limits (429s have tests of their own), for files that
 * send many requests in a row: the hostile table, the contract and the fuzz test.
 */
export const UNTHROTTLED_API: Readonly<Record<string, string>> = {
  CONVEYOR_ROLE: 'api',
  CONVEYOR_RATE_LIMIT_SUBMIT: '0',
  CONVEYOR_RATE_LIMIT_READ: '0',
};

/** Serves `app` on a free port of 127.0.0.1, for clients other than supertest; closed with the instance. */
export async function listen(app: INestApplication): Promise<number> {
  const server = app.getHttpServer() as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** The real application on a fresh database, with its HTTP server for supertest. */
export async function startTestApp(
  env: Record<string, string> = {},
  handlerModules: Type[] = [],
): Promise<TestApp> {
  const db = await createTestDatabase();
  const instance = await startInstance(db.url, env, handlerModules);
  return {
    app: instance.app,
    server: instance.app.getHttpServer() as App,
    db,
    async close() {
      try {
        await instance.close();
      } finally {
        await db.drop();
      }
    },
  };
}
