// Benchmark: GET /v1/stats with 1,000,000 jobs in the table (target: 50 ms).
// Runs the real app in this process against a scratch database on an embedded PostgreSQL (or
// DATABASE_URL's server), times the endpoint over HTTP, and writes bench/results/<time>-stats.{json,md}.
// Usage: npm run bench:stats [-- --jobs 1000000 --requests 50]
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '#conveyor/config';
import { dropDatabase, ensureDatabase, startScratchPostgres, withDatabase } from '#conveyor/database';
import { createApp } from '#conveyor-app';

const { values } = parseArgs({
  options: { jobs: { type: 'string', default: '1000000' }, requests: { type: 'string', default: '50' } },
});
const jobs = Number(values.jobs);
const requests = Number(values.requests);

const server = await startScratchPostgres();
const serverUrl = server.url;
const database = `conveyor_bench_${Date.now()}`;
await ensureDatabase(serverUrl, database);
const url = withDatabase(serverUrl, database);

const app = await createApp(loadConfig({ LOG_LEVEL: 'error', CONVEYOR_ROLE: 'api' }), url);
await app.listen(0, '127.0.0.1');
const { port } = app.getHttpServer().address();
const client = new pg.Client({ connectionString: url });
await client.connect();

try {
  const loadStart = performance.now();
  // Five queues; a realistic mix of finished and waiting work.
  await client.query(
    `INSERT INTO jobs (id, namespace, queue, type, payload, status, max_attempts, backoff, idempotency_key,
                       run_at, claimed_at, lease_token, lease_expires_at, updated_at)
     SELECT gen_random_uuid(), 'default', 'q' || (i % 5), 't' || (i % 7), jsonb_build_object('i', i),
            s.status, 5, '{}', 'k' || i, now() - (i % 3600) * interval '1 second',
            CASE WHEN s.status IN ('completed', 'processing') THEN now() - interval '2 seconds' END,
            CASE WHEN s.status = 'processing' THEN gen_random_uuid() END,
            CASE WHEN s.status = 'processing' THEN now() + interval '1 hour' END,
            now() - (i % 600) * interval '1 second'
     FROM generate_series(1, $1) AS i,
          LATERAL (SELECT (ARRAY['completed','completed','completed','completed','pending','pending','failed',
                                 'dead_letter','processing','cancelled'])[1 + i % 10] AS status) s`,
    [jobs],
  );
  await client.query('SELECT conveyor_compact_job_stats()');
  await client.query('VACUUM ANALYZE jobs');
  const loadSeconds = (performance.now() - loadStart) / 1000;

  const timings = [];
  for (let i = 0; i < requests + 5; i += 1) {
    const start = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}/v1/stats`);
    await response.json();
    if (response.status !== 200) throw new Error(`GET /v1/stats answered ${response.status}`);
    if (i >= 5) timings.push(performance.now() - start); // the first few warm caches and JIT
  }
  timings.sort((a, b) => a - b);
  const at = (q) => timings[Math.min(timings.length - 1, Math.floor(q * timings.length))];
  const { rows } = await client.query('SHOW server_version');
  const result = {
    benchmark: 'GET /v1/stats',
    at: new Date().toISOString(),
    machine: { cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    postgres: { version: rows[0].server_version, embedded: !process.env.DATABASE_URL },
    jobs,
    requests,
    loadSeconds: Number(loadSeconds.toFixed(1)),
    latencyMs: { p50: at(0.5), p95: at(0.95), max: timings.at(-1) },
    targetMs: 50,
  };
  for (const key of Object.keys(result.latencyMs))
    result.latencyMs[key] = Number(result.latencyMs[key].toFixed(2));
  const stamp = result.at.replace(/[:.]/g, '-');
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(
    new URL(`./results/${stamp}-stats.json`, import.meta.url),
    `${JSON.stringify(result, null, 2)}\n`,
  );
  const table = [
    '| workload | jobs | p50 ms | p95 ms | max ms | target |',
    '|---|---|---|---|---|---|',
    `| GET /v1/stats | ${jobs.toLocaleString('en')} | ${result.latencyMs.p50} | ${result.latencyMs.p95} | ${result.latencyMs.max} | ≤ 50 ms |`,
  ].join('\n');
  writeFileSync(new URL(`./results/${stamp}-stats.md`, import.meta.url), `${table}\n`);
  console.log(table);
} finally {
  await client.end();
  await app.close();
  await dropDatabase(serverUrl, database);
  await server.stop();
}
