import { fileURLToPath } from 'node:url';
import { freePort, type ScratchPgBouncer } from '#conveyor/database';
import { ProcessGroup, QUICK_RECOVERY, restWorkers, scratchDirectory } from '../../chaos/support/cluster.js';
import { Supervised } from '../../chaos/support/processes.js';
import { TEST_ADMIN_KEY } from '../../support/app.js';
import type { TestDatabase } from '../../support/database.js';

// This file runs compiled, as dist/test/scale/support/replicas.js: the entry point is dist/apps/....
const MAIN = fileURLToPath(new URL('../../../apps/conveyor/src/main.js', import.meta.url));

export interface ReplicasOptions {
  db: TestDatabase;
  /** In front of `db`'s server: every replica and REST worker reaches the database through it. */
  pgbouncer: ScratchPgBouncer;
  apis: number;
  workers: number;
  restWorkers: number;
}

/** A log line of the service at level error or fatal (pino's 50 and 60). */
function isErrorLine(line: string): boolean {
  try {
    const { level } = JSON.parse(line) as { level?: unknown };
    return typeof level === 'number' && level >= 50;
  } catch {
    return false; // not a log line of the service (a warning of Node's own)
  }
}

/**
 * Conveyor deployed as a team deploys it behind PgBouncer: the production entry point (main.js)
 * as `api` and `worker` replicas, each under a supervisor that restarts it when it dies, reaching
 * PostgreSQL through PgBouncer's transaction pooling with LISTEN and named prepared statements off.
 * Each replica applies pending migrations at boot, straight to PostgreSQL as the schema's owner.
 * REST workers (test/chaos) claim through the api replicas. A replica is ready when its
 * /health/ready answers 200, and every line it logs at level error counts as unexpected.
 */
export class Replicas extends ProcessGroup {
  private constructor(
    readonly apis: Supervised[],
    readonly workers: Supervised[],
    readonly restWorkers: Supervised[],
    /** Where clients reach the api replicas. */
    readonly apiUrls: string[],
    scratch: string,
  ) {
    super([...restWorkers, ...apis, ...workers], scratch);
  }

  /** Every replica of the service, the api ones first. */
  get replicas(): Supervised[] {
    return [...this.apis, ...this.workers];
  }

  /** Boots every replica at once (on an empty database they race to migrate it), then the REST workers. */
  static async start(options: ReplicasOptions): Promise<Replicas> {
    const scratch = scratchDirectory();
    const databaseUrl = options.pgbouncer.through(options.db.url);
    const define = async (role: 'api' | 'worker', n: number) => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const supervised = new Supervised(
        `${role}-${n}`,
        MAIN,
        () => ({
          DATABASE_URL: databaseUrl,
          // Migrations hold a session advisory lock, which a transaction pooler would leave on
          // whichever server connection ran it: they go straight to PostgreSQL.
          CONVEYOR_MIGRATION_DATABASE_URL: options.db.ownerUrl,
          CONVEYOR_MIGRATIONS_RUN: 'true',
          CONVEYOR_ROLE: role,
          PORT: String(port),
          CONVEYOR_LISTEN: 'false',
          CONVEYOR_DB_PREPARED_STATEMENTS: 'false',
          CONVEYOR_BOOTSTRAP_ADMIN_KEY: TEST_ADMIN_KEY,
          CONVEYOR_METRICS_PORT: 'off',
          CONVEYOR_RATE_LIMIT_SUBMIT: '0',
          CONVEYOR_RATE_LIMIT_READ: '0',
          LOG_LEVEL: 'warn',
          ...QUICK_RECOVERY,
        }),
        { readyUrl: `${url}/health/ready`, isUnexpected: isErrorLine },
      );
      return { url, supervised };
    };
    const apis = await Promise.all(Array.from({ length: options.apis }, (_, n) => define('api', n)));
    const workers = await Promise.all(Array.from({ length: options.workers }, (_, n) => define('worker', n)));
    const apiUrls = apis.map((api) => api.url);
    const group = new Replicas(
      apis.map((api) => api.supervised),
      workers.map((worker) => worker.supervised),
      restWorkers(options.restWorkers, apiUrls, databaseUrl, scratch),
      apiUrls,
      scratch,
    );
    try {
      await Promise.all(group.replicas.map((replica) => replica.start()));
      await Promise.all(group.restWorkers.map((worker) => worker.start()));
    } catch (error) {
      await group.stop();
      throw error;
    }
    return group;
  }
}
