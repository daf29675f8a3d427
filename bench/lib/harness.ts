// What every workload shares: a service on a database of its own, checks that fail the run, calls
// with the bench key, waits bounded in time, quantiles.
import type pg from 'pg';
import { type BenchDatabase, type BenchServer, oneRow } from './database.js';
import { type Service, type ServiceOptions, startService } from './service.js';

/** What every workload's result says, besides its figures: what was checked, in words. */
export interface Checked {
  checked: string;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class CheckFailed extends Error {}

export function check(condition: boolean, message: string): void {
  if (!condition) throw new CheckFailed(message);
}

export async function withService<T>(
  server: BenchServer,
  env: Record<string, string>,
  fn: (service: Service, db: BenchDatabase) => Promise<T>,
  options: ServiceOptions = {},
): Promise<T> {
  const db = await server.database();
  const service = await startService(db.url, env, options);
  try {
    return await fn(service, db);
  } finally {
    await service.stop();
    await db.drop();
  }
}

/** The bench key of a service that serves the API: every role but `worker` has one. */
export function keyOf(service: Service): string {
  if (service.key === null) throw new Error('a worker-only service has no API key');
  return service.key;
}

/** Polls until `done()` or the deadline; returns the seconds it took. */
export async function timeUntil(done: () => Promise<boolean>, timeoutSeconds: number): Promise<number> {
  const start = performance.now();
  const deadline = start + timeoutSeconds * 1000;
  while (!(await done())) {
    if (performance.now() > deadline) throw new CheckFailed(`not done within ${timeoutSeconds} s`);
    await sleep(50);
  }
  return (performance.now() - start) / 1000;
}

/**
 * Whether no job waits or runs any more: read through the claim and reap partial indexes, so
 * watching costs the database next to nothing (a count over the table would compete with the
 * workload).
 */
export async function drained(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ drained: boolean }>(
    `SELECT NOT EXISTS (SELECT 1 FROM jobs WHERE status IN ('pending', 'failed'))
        AND NOT EXISTS (SELECT 1 FROM jobs WHERE status = 'processing') AS drained`,
  );
  return oneRow(rows).drained;
}

/**
 * A POST with the bench key that must answer `expected` (200 unless told): its body. A string body
 * is sent as it is (serialised once, outside a timing).
 */
export async function post(service: Service, path: string, body: unknown, expected = 200): Promise<unknown> {
  const response = await fetch(`${service.base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${keyOf(service)}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  if (response.status !== expected) {
    throw new CheckFailed(`POST ${path} answered ${response.status}: ${await response.text()}`);
  }
  return response.json();
}

/** GET `path` with the instance's admin key; its parsed answer, which must have status `expected`. */
export async function get(service: Service, path: string, expected = 200): Promise<unknown> {
  const response = await fetch(`${service.base}${path}`, {
    headers: { authorization: `Bearer ${keyOf(service)}` },
  });
  if (response.status !== expected) {
    throw new CheckFailed(`GET ${path} answered ${response.status}: ${await response.text()}`);
  }
  return response.json();
}

/** The value at quantile `q` of ascending `sorted` (not empty), to 0.01. */
export function quantile(sorted: number[], q: number): number {
  const value = sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  if (value === undefined) throw new Error('a quantile of no values');
  return Number(value.toFixed(2));
}

export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

/** The median, the 99th percentile and the largest of `values` (not empty, in any order). */
export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: quantile(sorted, 1) };
}

/** Milliseconds a call took: the median, the 95th percentile and the slowest. */
export interface CallLatency {
  p50: number;
  p95: number;
  max: number;
}

/** The latency of `requests` sequential calls, after 5 that warm caches and JIT up. */
export async function latencyOf(requests: number, call: () => Promise<void>): Promise<CallLatency> {
  const timings: number[] = [];
  for (let i = 0; i < requests + 5; i += 1) {
    const start = performance.now();
    await call();
    if (i >= 5) timings.push(performance.now() - start);
  }
  timings.sort((a, b) => a - b);
  return { p50: quantile(timings, 0.5), p95: quantile(timings, 0.95), max: quantile(timings, 1) };
}
