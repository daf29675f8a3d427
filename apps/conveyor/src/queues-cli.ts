/**
 * `npm run queues -- <command>`: list, pause and resume queues straight in the database, through the
 * same commands as REST (PauseQueueCommand, ListQueuesQuery). Uses DATABASE_URL, or the embedded
 * PostgreSQL of CONVEYOR_DATA_DIR (the running service's, or started for the command).
 *
 *   list [--namespace <ns>]
 *   pause <queue> [--type <type>] [--namespace <ns>]
 *   resume <queue> [--type <type>] [--namespace <ns>]
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { Module } from '@nestjs/common';
import { CommandBus, CqrsModule, QueryBus } from '@nestjs/cqrs';
import { NestFactory } from '@nestjs/core';
import { isNamespace } from '#conveyor/auth';
import { ConfigModule, loadConfig } from '#conveyor/config';
import { DatabaseModule, openDatabase } from '#conveyor/database';
import { codePoints } from '#conveyor/http';
import {
  DEFAULT_NAMESPACE,
  JobsModule,
  ListQueuesQuery,
  MAX_NAME_LENGTH,
  NAME_PATTERN,
  PauseQueueCommand,
  type QueueView,
} from '#conveyor/jobs';
import { CONVEYOR_ENTITIES, CONVEYOR_MIGRATIONS, CONVEYOR_RUNTIME_GRANTS } from './schema.js';

const USAGE = `usage:
  npm run queues -- list [--namespace <ns>]
  npm run queues -- pause <queue> [--type <type>] [--namespace <ns>]
  npm run queues -- resume <queue> [--type <type>] [--namespace <ns>]`;

/** Queue and type names, as the API takes them. */
const isName = (name: string): boolean => NAME_PATTERN.test(name) && codePoints(name) <= MAX_NAME_LENGTH;

class UsageError extends Error {}

function describe(view: QueueView): string {
  const state = view.paused ? 'paused' : 'running';
  const types = view.pausedTypes.length > 0 ? `  paused types: ${view.pausedTypes.join(', ')}` : '';
  const counts = Object.entries(view.counts)
    .map(([status, count]) => `${status} ${count}`)
    .join(', ');
  return `${view.queue}  ${state}  ${counts}${types}`;
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { namespace: { type: 'string' }, type: { type: 'string' } },
  });
  const [command, queue, ...rest] = positionals;
  const namespace = values.namespace ?? DEFAULT_NAMESPACE;
  if (!isNamespace(namespace)) throw new UsageError(`--namespace: not a namespace: ${namespace}`);
  if (values.type !== undefined && !isName(values.type)) throw new UsageError(`--type: not a job type`);
  if (command === 'list') {
    if (queue !== undefined) throw new UsageError(USAGE);
  } else if (command === 'pause' || command === 'resume') {
    if (queue === undefined || rest.length > 0) throw new UsageError(USAGE);
    if (!isName(queue)) throw new UsageError(`not a queue name: ${queue}`);
  } else {
    throw new UsageError(USAGE);
  }

  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'warn' });
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    embeddedPort: config.embeddedPostgresPort,
    shareRunning: true,
  });
  try {
    @Module({
      imports: [
        ConfigModule.forRoot(config),
        CqrsModule.forRoot(),
        DatabaseModule.forRoot({
          url: database.url,
          poolSize: 2,
          preparedStatements: config.dbPreparedStatements,
          entities: CONVEYOR_ENTITIES,
          migrations: CONVEYOR_MIGRATIONS,
          migrationsRun: true,
          ownerUrl: database.ownerUrl,
          runtimeGrants: CONVEYOR_RUNTIME_GRANTS,
        }),
        JobsModule,
      ],
    })
    class QueuesCliModule {}
    const context = await NestFactory.createApplicationContext(QueuesCliModule, {
      logger: ['warn', 'error'],
    });
    try {
      if (command !== 'list') {
        await context
          .get(CommandBus)
          .execute(new PauseQueueCommand(namespace, queue ?? '', values.type ?? null, command === 'pause'));
      }
      const { queues } = await context
        .get(QueryBus)
        .execute(new ListQueuesQuery(namespace, command === 'list' ? null : (queue ?? null)));
      for (const view of queues) process.stdout.write(`${describe(view)}\n`);
    } finally {
      await context.close();
    }
  } finally {
    await database.stop();
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  const badArguments = (error as { code?: unknown }).code?.toString().startsWith('ERR_PARSE_ARGS') === true;
  if (error instanceof UsageError || badArguments) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
