import type { INestApplication } from '@nestjs/common';
import type { App } from 'supertest/types.js';
import { loadConfig } from '#conveyor/config';
import { createApp } from '#conveyor-app';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface TestApp {
  app: INestApplication;
  server: App;
  db: TestDatabase;
  close(): Promise<void>;
}

/** The real application on a fresh database, exactly as main.ts builds it, minus the listener. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const app = await createApp(loadConfig({ CONVEYOR_MIGRATIONS_RUN: 'false', ...env }), db.url, {
    logger: false,
  });
  await app.init();
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
