import { type DynamicModule, Module, type Type } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import { CqrsModule } from '@nestjs/cqrs';
import { ConfigModule, type ConveyorConfig } from '#conveyor/config';
import { DatabaseModule } from '#conveyor/database';
import { ExampleHandlersModule } from '#conveyor/example-handlers';
import { AuthHttpModule, AuthModule } from '#conveyor/auth';
import { JobsHttpModule, JobsModule } from '#conveyor/jobs';
import { MetricsModule } from '#conveyor/metrics';
import { TelemetryModule } from '#conveyor/telemetry';
import { WorkerModule } from '#conveyor/worker';
import { HealthModule } from './health/health.module.js';
import { loggingModule } from './logging.js';
import { CONVEYOR_ENTITIES, CONVEYOR_MIGRATIONS, CONVEYOR_RUNTIME_GRANTS } from './schema.js';

export interface AppModuleOptions {
  config: ConveyorConfig;
  databaseUrl: string;
  /** Where migrations run, when that is another role than `databaseUrl`'s (the schema's owner). */
  ownerDatabaseUrl?: string | undefined;
  /** Modules holding @JobHandler providers, besides the shipped examples. */
  handlerModules?: Type[] | undefined;
  /** Where log lines go; stdout by default. */
  logDestination?: DestinationStream | undefined;
}

@Module({})
export class AppModule {
  static forRoot({
    config,
    databaseUrl,
    ownerDatabaseUrl,
    handlerModules = [],
    logDestination,
  }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        loggingModule(config, logDestination),
        ConfigModule.forRoot(config),
        CqrsModule.forRoot(),
        TelemetryModule,
        DatabaseModule.forRoot({
          url: databaseUrl,
          poolSize: config.dbPoolSize,
          preparedStatements: config.dbPreparedStatements,
          entities: CONVEYOR_ENTITIES,
          migrations: CONVEYOR_MIGRATIONS,
          migrationsRun: config.migrationsRun,
          ownerUrl: ownerDatabaseUrl,
          runtimeGrants: CONVEYOR_RUNTIME_GRANTS,
        }),
        AuthModule,
        JobsModule,
        ...(config.worker.role === 'worker' ? [] : [AuthHttpModule, JobsHttpModule]),
        WorkerModule,
        ...(config.worker.exampleHandlers ? [ExampleHandlersModule] : []),
        ...handlerModules,
        HealthModule,
        MetricsModule,
      ],
    };
  }
}
