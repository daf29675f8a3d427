import { type DynamicModule, Module, type Type } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ConfigModule, type ConveyorConfig } from '#conveyor/config';
import { DatabaseModule } from '#conveyor/database';
import { ExampleHandlersModule } from '#conveyor/example-handlers';
import { JOBS_ENTITIES, JOBS_MIGRATIONS, JobsHttpModule, JobsModule } from '#conveyor/jobs';
import { MetricsModule } from '#conveyor/metrics';
import { WorkerModule } from '#conveyor/worker';
import { HealthModule } from './health/health.module.js';

@Module({})
export class AppModule {
  /** `handlerModules`: modules holding @JobHandler providers, besides the shipped examples. */
  static forRoot(config: ConveyorConfig, databaseUrl: string, handlerModules: Type[] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        CqrsModule.forRoot(),
        DatabaseModule.forRoot({
          url: databaseUrl,
          poolSize: config.dbPoolSize,
          entities: JOBS_ENTITIES,
          migrations: JOBS_MIGRATIONS,
          migrationsRun: config.migrationsRun,
        }),
        JobsModule,
        ...(config.worker.role === 'worker' ? [] : [JobsHttpModule]),
        WorkerModule,
        ...(config.worker.exampleHandlers ? [ExampleHandlersModule] : []),
        ...handlerModules,
        HealthModule,
        MetricsModule,
      ],
    };
  }
}
