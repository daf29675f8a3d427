import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '#conveyor/database';
import { Supervised } from './processes.js';

const INSTANCE = fileURLToPath(new URL('./instance.js', import.meta.url));
const REST_WORKER = fileURLToPath(new URL('./rest-worker.js', import.meta.url));

/** Lease and reaper settings of every scenario: short, so that lost leases come back quickly. */
export const LEASE_SECONDS = 2;

export interface ClusterOptions {
  /** The service's database URL (its runtime role). */
  databaseUrl: string;
  instances: number;
  restWorkers?: number;
  /** More settings for every instance. */
  env?: Record<string, string>;
}

/**
 * Conveyor instances and REST workers as real processes under a supervisor that restarts what
 * dies, each instance on a port of its own that it keeps across restarts.
 */
export class Cluster {
  private constructor(
    readonly instances: Supervised[],
    readonly restWorkers: Supervised[],
    readonly urls: string[],
    private readonly scratch: string,
  ) {}

  static async start(options: ClusterOptions): Promise<Cluster> {
    const scratch = mkdtempSync(join(tmpdir(), 'conveyor-chaos-'));
    const ports = await Promise.all(Array.from({ length: options.instances }, () => freePort()));
    const urls = ports.map((port) => `http://127.0.0.1:${port}`);
    const instances = ports.map(
      (port, n) =>
        new Supervised(`instance-${n}`, INSTANCE, () => ({
          DATABASE_URL: options.databaseUrl,
          PORT: String(port),
          CONVEYOR_LEASE_SECONDS: String(LEASE_SECONDS),
          CONVEYOR_REAPER_INTERVAL_MS: '250',
          CONVEYOR_POLL_INTERVAL_MS: '100',
          CONVEYOR_SHUTDOWN_GRACE_MS: '1000',
          ...options.env,
        })),
    );
    const restWorkers = Array.from(
      { length: options.restWorkers ?? 0 },
      (_, n) =>
        new Supervised(`rest-worker-${n}`, REST_WORKER, () => ({
          DATABASE_URL: options.databaseUrl,
          CONVEYOR_URLS: urls.join(','),
          JOURNAL: join(scratch, `rest-worker-${n}.journal`),
          LEASE_SECONDS: String(LEASE_SECONDS),
        })),
    );
    const cluster = new Cluster(instances, restWorkers, urls, scratch);
    try {
      // Instances first and one by one: the first one's boot is the one that makes the admin key.
      for (const instance of instances) await instance.start();
      await Promise.all(restWorkers.map((worker) => worker.start()));
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** Processes that died without being killed by the scenario. */
  get crashes(): number {
    return [...this.instances, ...this.restWorkers].reduce((sum, process) => sum + process.crashes, 0);
  }

  /** Answers the REST workers must never have had. */
  get unexpected(): string[] {
    return [...this.instances, ...this.restWorkers].flatMap((process) => process.unexpected);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.restWorkers, ...this.instances].map((process) => process.stop()));
    rmSync(this.scratch, { recursive: true, force: true });
  }

  /** The last lines of every process, for a failure message. */
  output(): string {
    return [...this.instances, ...this.restWorkers]
      .map((process) => `--- ${process.name}\n${process.output()}`)
      .join('\n');
  }
}

/** One of `items`, at random. */
export function pick<T>(items: readonly T[]): T {
  const item = items[Math.floor(Math.random() * items.length)];
  if (item === undefined) throw new Error('nothing to pick from');
  return item;
}
