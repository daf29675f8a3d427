import { type DynamicModule, Inject, Logger, Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type DataSourceInputs, dataSourceOptions } from './data-source-options.js';
import { currentRole, type TableGrant } from './grants.js';
import { runMigrations } from './migrate.js';
import { DatabaseOutage } from './outage.js';
import { Sql, SQL_OPTIONS, type SqlOptions } from './sql.js';

export interface DatabaseModuleOptions extends DataSourceInputs {
  /** Apply pending migrations during boot (before the app listens). */
  migrationsRun: boolean;
  /**
   * Where migrations run: the schema's owner. Unset, they run on `url`, and the service is its own
   * schema's owner (one role; docs/security.md says what that gives up).
   */
  ownerUrl?: string | undefined;
  /** What the runtime role (the role of `url`) is granted after the migrations, when it is not the owner. */
  runtimeGrants: readonly TableGrant[];
  /** Named prepared statements for the hot statements (CONVEYOR_DB_PREPARED_STATEMENTS). */
  preparedStatements: boolean;
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
      providers: [
        { provide: DATABASE_MODULE_OPTIONS, useValue: options },
        {
          provide: SQL_OPTIONS,
          useValue: { namedStatements: options.preparedStatements } satisfies SqlOptions,
        },
        Sql,
        DatabaseOutage,
      ],
      exports: [Sql, DatabaseOutage],
    };
  }

  async onModuleInit(): Promise<void> {
    if (!this.options.migrationsRun) return;
    const { ownerUrl } = this.options;
    if (ownerUrl === undefined || ownerUrl === this.options.url) {
      const applied = await runMigrations(this.dataSource);
      if (applied > 0) this.logger.log(`applied ${applied} migration(s)`);
      return;
    }
    // Two connections: runMigrations holds one for its advisory lock while TypeORM migrates on the other.
    const owner = new DataSource(dataSourceOptions({ ...this.options, url: ownerUrl, poolSize: 2 }));
    await owner.initialize();
    try {
      const runtime = { role: await currentRole(this.dataSource), grants: this.options.runtimeGrants };
      const applied = await runMigrations(owner, runtime);
      if (applied > 0) this.logger.log(`applied ${applied} migration(s)`);
    } finally {
      await owner.destroy();
    }
  }
}
