import { setTimeout as delay } from 'node:timers/promises';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { createChaosTables } from './chaos-handlers.js';
import type { ChaosClient } from './client.js';
import { Cluster, type ClusterOptions } from './cluster.js';
import { checkInvariants, type Outcome, waitUntilSettled } from './invariants.js';
import { report } from './report.js';

/**
 * How big a run of the chaos or scale suite is: CONVEYOR_SUITE=long (`npm run test:chaos`,
 * `npm run test:scale`) or short (CI, and the default), which runs every scenario with fewer jobs
 * and faults.
 */
export const LONG = process.env['CONVEYOR_SUITE'] === 'long';

export function scaled(short: number, long: number): number {
  return LONG ? long : short;
}

/** A random whole number of milliseconds in [min, max). */
export function between(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min));
}

export interface Scenario {
  db: TestDatabase;
  cluster: Cluster;
}

/**
 * A fresh database with the chaos tables (on the suite's server, or on `server`), a cluster on it,
 * the scenario, and a clean-up that leaves no process behind. When the scenario fails, the last
 * lines of every process are printed.
 */
export async function inScenario(
  options: Omit<ClusterOptions, 'databaseUrl'> & { server?: string },
  body: (scenario: Scenario) => Promise<void>,
): Promise<void> {
  const db = await createTestDatabase(options.server);
  // A scenario's faults may take this connection down; the checks open fresh ones.
  db.client.on('error', () => undefined);
  let cluster: Cluster | undefined;
  try {
    await createChaosTables(db);
    cluster = await Cluster.start({ ...options, databaseUrl: db.url });
    await body({ db, cluster });
  } catch (error) {
    if (cluster !== undefined) console.error(`processes of the failed scenario:\n${cluster.output()}`);
    throw error;
  } finally {
    await cluster?.stop();
    await db.drop();
  }
}

/**
 * Runs `fault` `times` times, a random pause of [minMs, maxMs) before each: the faults of a
 * scenario, spread over its run.
 */
export async function repeatedly(
  times: number,
  minMs: number,
  maxMs: number,
  fault: (n: number) => Promise<void> | void,
): Promise<void> {
  for (let n = 0; n < times; n += 1) {
    await delay(between(minMs, maxMs));
    await fault(n);
  }
}

/**
 * The end of every scenario: waits until `total` jobs have settled, checks the invariants against
 * the client's record of what was acknowledged, prints the report, and fails on any violation the
 * database or the client saw. The outcome is for the scenario's own expectations. The jobs are
 * those of the chaos queues, or of `queues`.
 */
export async function settledAndChecked(
  name: string,
  db: TestDatabase,
  client: ChaosClient,
  total: number,
  timeoutMs: number,
  queues?: readonly string[],
): Promise<Outcome> {
  await waitUntilSettled(db.ownerUrl, total, timeoutMs, queues);
  const outcome = await checkInvariants(db.ownerUrl, client.acknowledged, queues);
  report(name, outcome, client);
  expect(outcome.violations).toEqual([]);
  expect(client.violations).toEqual([]);
  return outcome;
}
