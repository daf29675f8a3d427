import { type DynamicModule, Inject, Logger, Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type DataSourceInputs, dataSourceOptions } from './data-source-options.js';
import { runMigrations } from './migrate.js';
import { DatabaseOutage } from './outage.js';
import { Sql } from './sql.js';

export interface DatabaseModuleOptions extends DataSourceInputs {
  /** Apply pending migrations during boot (before the app listens). */
  migrationsRun: boolean;
}

const DATABASE_MODULE_OPTIONS = Symbol('DATABASE_MODULE_OPTIONS');

@Module({})
export class DatabaseModule implements OnModuleInit {
  private readonly logger = new Logger(DatabaseModule.name);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(DATABASE_MODULE_OPTIONS) private readonly options: DatabaseModuleOptions,
  ) {}

  static forRoot(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [TypeOrmModule.forRoot(dataSourceOptions(options))],
      providers: [{ provide: DATABASE_MODULE_OPTIONS, useValue: options }, Sql, DatabaseOutage],
      exports: [Sql, DatabaseOutage],
    };
  }

  async onModuleInit(): Promise<void> {
    if (!this.options.migrationsRun) return;
    const applied = await runMigrations(this.dataSource);
    if (applied > 0) this.logger.log(`applied ${applied} migration(s)`);
  }
}
