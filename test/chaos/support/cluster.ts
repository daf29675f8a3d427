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

/** Settings of every Conveyor process of a scenario: short leases, reaped and polled often, a short drain. */
export const QUICK_RECOVERY: Readonly<Record<string, string>> = {
  CONVEYOR_LEASE_SECONDS: String(LEASE_SECONDS),
  CONVEYOR_REAPER_INTERVAL_MS: '250',
  CONVEYOR_POLL_INTERVAL_MS: '100',
  CONVEYOR_SHUTDOWN_GRACE_MS: '1000',
};

export interface ClusterOptions {
  /** The service's database URL (its runtime role). */
  databaseUrl: string;
  instances: number;
  restWorkers?: number;
  /** More settings for every instance. */
  env?: Record<string, string>;
}

/**
 * Processes of a scenario, kept running by their supervisors, and a scratch directory; stop() ends
 * them all and removes it.
 */
export class ProcessGroup {
  protected constructor(
    private readonly processes: readonly Supervised[],
    private readonly scratch: string,
  ) {}

  /** Processes that died without being killed by the scenario. */
  get crashes(): number {
    return this.processes.reduce((sum, process) => sum + process.crashes, 0);
  }

  /** Lines the processes must never have printed (answers a REST worker must never have had). */
  get unexpected(): string[] {
    return this.processes.flatMap((process) => process.unexpected);
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((process) => process.stop()));
    rmSync(this.scratch, { recursive: true, force: true });
  }

  /** The last lines of every process, for a failure message. */
  output(): string {
    return this.processes.map((process) => `--- ${process.name}\n${process.output()}`).join('\n');
  }
}

/** A scratch directory for a group's journals. */
export function scratchDirectory(): string {
  return mkdtempSync(join(tmpdir(), 'conveyor-chaos-'));
}

/**
 * REST workers (rest-worker.ts) claiming through any of `urls`, writing their effects at
 * `databaseUrl`, each journalling into `scratch`.
 */
export function restWorkers(
  count: number,
  urls: readonly string[],
  databaseUrl: string,
  scratch: string,
): Supervised[] {
  return Array.from(
    { length: count },
    (_, n) =>
      new Supervised(`rest-worker-${n}`, REST_WORKER, () => ({
        DATABASE_URL: databaseUrl,
        CONVEYOR_URLS: urls.join(','),
        JOURNAL: join(scratch, `rest-worker-${n}.journal`),
        LEASE_SECONDS: String(LEASE_SECONDS),
      })),
  );
}

/**
 * Conveyor instances and REST workers as real processes under a supervisor that restarts what
 * dies, each instance on a port of its own that it keeps across restarts.
 */
export class Cluster extends ProcessGroup {
  private constructor(
    readonly instances: Supervised[],
    readonly restWorkers: Supervised[],
    readonly urls: string[],
    scratch: string,
  ) {
    super([...restWorkers, ...instances], scratch);
  }

  static async start(options: ClusterOptions): Promise<Cluster> {
    const scratch = scratchDirectory();
    const ports = await Promise.all(Array.from({ length: options.instances }, () => freePort()));
    const urls = ports.map((port) => `http://127.0.0.1:${port}`);
    const instances = ports.map(
      (port, n) =>
        new Supervised(`instance-${n}`, INSTANCE, () => ({
          DATABASE_URL: options.databaseUrl,
          PORT: String(port),
          ...QUICK_RECOVERY,
          ...options.env,
        })),
    );
    const workers = restWorkers(options.restWorkers ?? 0, urls, options.databaseUrl, scratch);
    const cluster = new Cluster(instances, workers, urls, scratch);
    try {
      // Instances first and one by one: the first one's boot is the one that makes the admin key.
      for (const instance of instances) await instance.start();
      await Promise.all(workers.map((worker) => worker.start()));
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }
}

/** One of `items`, at random. */
export function pick<T>(items: readonly T[]): T {
  const item = items[Math.floor(Math.random() * items.length)];
  if (item === undefined) throw new Error('nothing to pick from');
  return item;
}
