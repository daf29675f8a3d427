import type { Type } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { SubmitJobCommand, type SubmitJobInput } from '#conveyor/jobs';
import { type Instance, startInstance } from './app.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { createEffectsTable, TestHandlersModule } from './test-handlers.js';

export interface InstanceSuite {
  /** This file's database (with the test handlers' effects table). */
  readonly db: TestDatabase;
  /** An instance on it, with the test handlers unless told otherwise; closed after the test. */
  start(env?: Record<string, string>, modules?: Type[]): Promise<Instance>;
}

/**
 * For a test file whose tests start service instances: a fresh database for the file, and every
 * instance a test started closed when the test ends. Call at the top level of the file.
 */
export function instanceSuite(defaults: Record<string, string> = {}): InstanceSuite {
  let database: TestDatabase | undefined;
  const started: Instance[] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
    await createEffectsTable(database);
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((instance) => instance.close()));
  });
  afterAll(async () => {
    await database?.drop();
  });
  const suite: InstanceSuite = {
    get db(): TestDatabase {
      if (database === undefined) throw new Error('the suite database is made in beforeAll');
      return database;
    },
    async start(env = {}, modules = [TestHandlersModule]) {
      const instance = await startInstance(
        suite.db.url,
        { CONVEYOR_EXAMPLE_HANDLERS: 'false', ...defaults, ...env },
        modules,
      );
      started.push(instance);
      return instance;
    },
  };
  return suite;
}

/** A submit through `on`'s command bus, in the default namespace; unnamed fields take their defaults. */
export function submitJob(on: Instance, input: Partial<SubmitJobInput> & { type: string }) {
  return on.app.get(CommandBus).execute(
    new SubmitJobCommand({
      namespace: 'default',
      queue: null,
      payload: {},
      priority: 0,
      runAt: null,
      maxAttempts: null,
      backoff: null,
      idempotencyKey: null,
      dedupeWindowSeconds: null,
      ...input,
    }),
  );
}
