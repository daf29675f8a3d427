import { CqrsModule, CommandBus, QueryBus } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { ConfigModule, loadConfig } from '#conveyor/config';
import { DatabaseModule } from '#conveyor/database';
import { JobsModule } from '#conveyor/jobs';
import { CONVEYOR_ENTITIES, CONVEYOR_MIGRATIONS, CONVEYOR_RUNTIME_GRANTS } from '#conveyor-schema';

export interface JobsContext {
  commandBus: CommandBus;
  queryBus: QueryBus;
  /** For in-process handlers' transactions (LockJobCommand and the settlements inside it). */
  dataSource: DataSource;
  close(): Promise<void>;
}

/**
 * The jobs library wired as the app wires it (buses, handlers, repository, real pool), without
 * HTTP. `env` overrides configuration, e.g. CONVEYOR_SUBMIT_BATCH_SIZE.
 */
export async function createJobsContext(url: string, env: Record<string, string> = {}): Promise<JobsContext> {
  const config = loadConfig(env);
  const moduleRef = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot(config),
      CqrsModule.forRoot(),
      DatabaseModule.forRoot({
        url,
        poolSize: config.dbPoolSize,
        preparedStatements: config.dbPreparedStatements,
        entities: CONVEYOR_ENTITIES,
        migrations: CONVEYOR_MIGRATIONS,
        migrationsRun: false,
        runtimeGrants: CONVEYOR_RUNTIME_GRANTS,
      }),
      JobsModule,
    ],
  }).compile();
  await moduleRef.init();
  return {
    commandBus: moduleRef.get(CommandBus),
    queryBus: moduleRef.get(QueryBus),
    dataSource: moduleRef.get(DataSource),
    close: () => moduleRef.close(),
  };
}
