import { type DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ConfigModule, type ConveyorConfig } from '#conveyor/config';
import { DatabaseModule } from '#conveyor/database';
import { JOBS_ENTITIES, JOBS_MIGRATIONS, JobsModule } from '#conveyor/jobs';
import { HealthController } from './health.controller.js';

@Module({})
export class AppModule {
  static forRoot(config: ConveyorConfig, databaseUrl: string): DynamicModule {
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
      ],
      controllers: [HealthController],
    };
  }
}
