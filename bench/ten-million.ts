// `npm run bench:10m`: what a jobs table that has held ten million jobs costs, against the same
// service on a small one (issue #17, docs/scaling.md "Ten million jobs"). On a real PostgreSQL (a
// throwaway embedded one, or DATABASE_URL's server), one run:
//
//   1. small: a fresh database with a few finished jobs and a live backlog, then submit throughput,
//      claim latency, stats and list latency; measured before the fill and again after it, so
//      that the machine's drift between the two shows;
//   2. full: ten days of finished jobs (ten million by default), the same figures again;
//   3. retention of the oldest day by the service itself (a worker instance), timed, with its
//      longest statement and any lock waits sampled, and the API's latency while it runs;
//   4. growth: once autovacuum has caught up, a new day of jobs, and the table's size against
//      before retention (the space of the deleted day should be used again, not added to).
//
// Writes bench/results/ten-million-<time>.{json,md}.
//
//   npm run bench:10m                       10,000,000 finished jobs
//   npm run bench:10m -- --quick            200,000: checks the benchmark works, not the figures
//   npm run bench:10m -- --jobs 2000000
import { parseArgs } from 'node:util';
import pg from 'pg';
import {
  type BenchDatabase,
  type BenchServer,
  insertBacklog,
  jobIdAt,
  oneRow,
  openServer,
} from './lib/database.js';
import { type CallLatency, check, get, keyOf, latencyOf, sleep } from './lib/harness.js';
import { httpLoad, type HttpLoad } from './lib/load.js';
import { fmt, machine, setupLine, writeResults } from './lib/results.js';
import { type Service, startService } from './lib/service.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    jobs: { type: 'string' },
  },
});
const quick = values.quick;
const TOTAL = Number(values.jobs ?? (quick ? 200_000 : 10_000_000));
/** The finished jobs span this many days; retention keeps all but the oldest. */
const DAYS = 10;
const DAY_SECONDS = 86_400;
/** Jobs waiting in the claimed queue when each phase's claims start. */
const BACKLOG = quick ? 60_000 : 300_000;
const LOAD = quick ? { seconds: 3, warmupSeconds: 1 } : { seconds: 10, warmupSeconds: 3 };
/** Reads of each endpoint, one at a time: enough that a p95 is not one slow answer in twenty. */
const READS = quick ? 50 : 1_000;
/** Finished jobs in the small table, as in one just put in service. */
const SEED = 2_000;
/** Rows per fill statement: progress to print, and memory bounded. */
const FILL_CHUNK = 500_000;
/** How long retention, and then autovacuum, may take before the run reports that they did not end. */
const RETENTION_LIMIT_MS = 40 * 60_000;
const AUTOVACUUM_LIMIT_MS = (quick ? 3 : 20) * 60_000;
/** A figure on the full table within this share of the small table's (the mean of its two runs). */
const WITHIN = 0.1;

const log = (line: string): void => {
  console.log(`${new Date().toISOString().slice(11, 19)} ${line}`);
};

/**
 * Finished jobs `first`..`last` of a fill of `count` (numbered from `first`), whose last change
 * spreads evenly from `fromSecondsAgo` to `toSecondsAgo`, with their history, written as the
 * lifecycle would have left them: 90 % completed on their first attempt, 5 % dead-lettered after
 * five, 5 % cancelled while pending; five queues, seven types. Written by a superuser with
 * session_replication_role = replica (the lifecycle's guard and history triggers off for this
 * session only): running ten million jobs through the service would take this machine most of a
 * day, and what the benchmark measures is the table they leave behind, not how they got there.
 */
const FILL = `
WITH made AS (
  SELECT i, now() - make_interval(secs => $3::float8 - ($3::float8 - $4::float8) * (i - 1) / $5::float8) AS t,
         CASE i % 20 WHEN 0 THEN 'dead_letter' WHEN 1 THEN 'cancelled' ELSE 'completed' END AS status
  FROM generate_series($1::bigint, $2::bigint) AS i
),
inserted AS (
  INSERT INTO jobs (id, namespace, queue, type, payload, status, run_at, attempts, max_attempts, backoff,
    idempotency_key, worker_id, last_error, result, claimed_at, last_lease_token, last_lease_end,
    created_at, updated_at)
  SELECT ${jobIdAt("t - interval '3 seconds'")}, 'default', 'q' || (i % 5), 't' || (i % 7),
    jsonb_build_object('to', 'user' || i || '@example.com', 'template', 'welcome', 'i', i),
    status, t - interval '3 seconds',
    CASE status WHEN 'completed' THEN 1 WHEN 'dead_letter' THEN 5 ELSE 0 END, 5,
    '{"type":"exponential","delayMs":1000,"maxDelayMs":300000}', 'fill-' || $6::text || '-' || i,
    CASE WHEN status <> 'cancelled' THEN 'worker-' || (i % 8) END,
    CASE WHEN status = 'dead_letter' THEN 'HTTP 503 Service Unavailable from upstream' END,
    CASE WHEN status = 'completed' THEN jsonb_build_object('messageId', md5(i::text)) END,
    CASE WHEN status <> 'cancelled' THEN t - interval '2 seconds' END,
    CASE WHEN status <> 'cancelled' THEN gen_random_uuid() END,
    CASE status WHEN 'completed' THEN 'completed' WHEN 'dead_letter' THEN 'failed' END,
    t - interval '3 seconds', t
  FROM made
  RETURNING id, status, attempts, worker_id, last_error, claimed_at, updated_at
)
INSERT INTO job_events (job_id, from_status, to_status, attempt, worker_id, error, occurred_at)
SELECT id, e.from_status, e.to_status, attempts, worker_id, e.error, e.at
FROM inserted CROSS JOIN LATERAL (VALUES
  (status <> 'cancelled', 'pending', 'processing', claimed_at, NULL),
  (true, CASE WHEN status = 'cancelled' THEN 'pending' ELSE 'processing' END, status, updated_at, last_error)
) AS e(keep, from_status, to_status, at, error)
WHERE e.keep`;

/** The counters GET /v1/stats reads, for jobs `first`..`last` as FILL makes them. */
const COUNT_FILL = `
INSERT INTO job_counts AS c (namespace, queue, status, count)
SELECT 'default', 'q' || (i % 5),
       CASE i % 20 WHEN 0 THEN 'dead_letter' WHEN 1 THEN 'cancelled' ELSE 'completed' END, count(*)
FROM generate_series($1::bigint, $2::bigint) AS i
GROUP BY 2, 3
ON CONFLICT (namespace, queue, status) DO UPDATE SET count = c.count + excluded.count`;

async function fill(
  client: pg.Client,
  {
    count,
    fromSecondsAgo,
    toSecondsAgo,
    name,
  }: { count: number; fromSecondsAgo: number; toSecondsAgo: number; name: string },
): Promise<number> {
  const started = performance.now();
  await client.query('SET session_replication_role = replica');
  try {
    for (let first = 1; first <= count; first += FILL_CHUNK) {
      const last = Math.min(count, first + FILL_CHUNK - 1);
      await client.query(FILL, [first, last, fromSecondsAgo, toSecondsAgo, count, name]);
      await client.query(COUNT_FILL, [first, last]);
      log(`  ${name}: ${fmt(last)} of ${fmt(count)} jobs`);
    }
  } finally {
    await client.query('SET session_replication_role = origin');
  }
  return (performance.now() - started) / 1000;
}

interface Sizes {
  /** jobs with its indexes and TOAST, and job_events with its, in MiB. */
  jobsMiB: number;
  eventsMiB: number;
  rows: number;
}

async function sizes(client: pg.Client): Promise<Sizes> {
  const { rows } = await client.query<Sizes>(
    `SELECT pg_total_relation_size('jobs') / 1048576.0::float8 AS "jobsMiB",
            pg_total_relation_size('job_events') / 1048576.0::float8 AS "eventsMiB",
            (SELECT count(*) FROM jobs)::float8 AS rows`,
  );
  return oneRow(rows);
}

interface Figures {
  submit: HttpLoad;
  claim: HttpLoad;
  stats: CallLatency;
  list: CallLatency;
}

function allAnswered(load: HttpLoad, status: number, what: string): void {
  check(
    load.errors === 0 && Object.keys(load.statuses).every((answered) => answered === String(status)),
    `${what}: ${load.errors} errors, statuses ${JSON.stringify(load.statuses)}`,
  );
}

/** Submit throughput, claim latency (batches of 10 from a backlog of BACKLOG), stats and list latency. */
async function measure(
  api: Service,
  db: BenchDatabase,
  phase: string,
  { queue = `claim-${phase}`, backlog = true }: { queue?: string; backlog?: boolean } = {},
): Promise<Figures> {
  if (backlog) await insertBacklog(db.client, { count: BACKLOG, type: 'bench.claim', queue });
  // What autovacuum's analyze would have done by now on a table in use.
  await db.client.query('ANALYZE jobs');
  const key = keyOf(api);
  const submit = await httpLoad({
    base: api.base,
    key,
    path: '/v1/jobs',
    connections: 50,
    ...LOAD,
    body: (i) =>
      JSON.stringify({
        type: 'bench.submit',
        queue: 'submit',
        payload: { i },
        idempotencyKey: `${phase}-${i}`,
      }),
  });
  allAnswered(submit, 201, `${phase} submits`);
  const claim = await httpLoad({
    base: api.base,
    key,
    path: '/v1/jobs/claim',
    connections: 4,
    ...LOAD,
    body: () => JSON.stringify({ queue, limit: 10, leaseSeconds: 3600, workerId: `bench-${phase}` }),
  });
  allAnswered(claim, 200, `${phase} claims`);
  const left = await db.count(`queue = $1 AND status = 'pending'`, [queue]);
  check(left > 0, `${phase}: the claims ran out of backlog (${BACKLOG} jobs); every claim must find 10`);
  const stats = await latencyOf(READS, async () => {
    await get(api, '/v1/stats');
  });
  const list = await latencyOf(READS, async () => {
    await get(api, '/v1/jobs?limit=50');
  });
  log(
    `  ${phase}: submit ${fmt(submit.requestsPerSecond)}/s p99 ${submit.latencyMs.p99} ms; claim p50 ` +
      `${claim.latencyMs.p50} p99 ${claim.latencyMs.p99} ms (${fmt(claim.requestsPerSecond)}/s); stats p50 ` +
      `${stats.p50} p95 ${stats.p95} ms; list p50 ${list.p50} p95 ${list.p95} ms`,
  );
  return { submit, claim, stats, list };
}

/** What the database showed, sampled every 20 ms while a phase ran. */
interface Watched {
  samples: number;
  /** The longest a retention statement (its CTE `doomed`, sql/housekeeping.sql.ts) was seen running. */
  longestRetentionMs: number;
  /** Samples in which some backend waited for a lock, and in which one waited behind retention. */
  lockWaits: number;
  behindRetention: number;
  /** The statements seen waiting behind retention (their first 80 characters). */
  blocked: string[];
  /** Samples in which an autovacuum worker was at work in this database. */
  vacuuming: number;
}

/** Samples pg_stat_activity every 20 ms on `client` until the answer's `stop` is called. */
function watch(client: pg.Client): { stop: () => Promise<Watched> } {
  const stopped = new AbortController();
  const seen: Watched = {
    samples: 0,
    longestRetentionMs: 0,
    lockWaits: 0,
    behindRetention: 0,
    blocked: [],
    vacuuming: 0,
  };
  const blocked = new Set<string>();
  const loop = (async () => {
    while (!stopped.signal.aborted) {
      const { rows } = await client.query<{
        retention_ms: number | null;
        waiting: number;
        behind: string[] | null;
        vacuuming: boolean;
      }>(
        `WITH activity AS (
           SELECT pid, query, state, query_start, wait_event_type, backend_type
           FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
         )
         SELECT max(CASE WHEN query LIKE '%doomed%' AND state = 'active'
                         THEN extract(epoch FROM clock_timestamp() - query_start) * 1000 END)::float8 AS retention_ms,
                count(*) FILTER (WHERE wait_event_type = 'Lock')::int AS waiting,
                array_agg(left(query, 80)) FILTER (WHERE wait_event_type = 'Lock' AND EXISTS (
                  SELECT 1 FROM activity b WHERE b.pid = ANY (pg_blocking_pids(a.pid)) AND b.query LIKE '%doomed%'
                )) AS behind,
                bool_or(backend_type = 'autovacuum worker') AS vacuuming
         FROM activity a`,
      );
      const row = oneRow(rows);
      seen.samples += 1;
      seen.longestRetentionMs = Math.max(seen.longestRetentionMs, row.retention_ms ?? 0);
      if (row.waiting > 0) seen.lockWaits += 1;
      if (row.vacuuming) seen.vacuuming += 1;
      if (row.behind !== null) {
        seen.behindRetention += 1;
        for (const query of row.behind) blocked.add(query.replace(/\s+/g, ' ').trim());
      }
      await sleep(20);
    }
  })();
  return {
    async stop() {
      stopped.abort();
      await loop;
      return { ...seen, blocked: [...blocked] };
    },
  };
}

interface Retention {
  deleted: number;
  /** From the worker's readiness to the oldest day gone. */
  seconds: number;
  watched: Watched;
  /** The API under load meanwhile. */
  during: Figures;
  /** Jobs the API's load added meanwhile (its backlog and submits). */
  added: number;
}

const OLDEST_DAY = `status IN ('completed', 'cancelled', 'dead_letter') AND updated_at < now() - make_interval(days => ${DAYS - 1})`;

/** The oldest day deleted by the service's own retention, on a worker instance, under the API's load. */
async function retention(api: Service, db: BenchDatabase, watcher: pg.Client): Promise<Retention> {
  const doomed = await db.count(OLDEST_DAY);
  const day = TOTAL / DAYS;
  check(
    Math.abs(doomed - day) <= day * 0.05,
    `the oldest day holds ${doomed} jobs, not the tenth of the fill (${Math.round(day)})`,
  );
  const rowsBefore = await db.count();
  const keep = String((DAYS - 1) * DAY_SECONDS);
  const watching = watch(watcher);
  const worker = await startService(db.url, {
    CONVEYOR_ROLE: 'worker',
    CONVEYOR_RETENTION_INTERVAL_MS: '1000',
    CONVEYOR_RETENTION_FINISHED_SECONDS: keep,
    CONVEYOR_RETENTION_DEAD_LETTER_SECONDS: keep,
  });
  try {
    const started = performance.now();
    const gone = (async () => {
      const deadline = Date.now() + RETENTION_LIMIT_MS;
      // One probe of jobs_retention_idx: a count of the day would itself be a scan of a million rows.
      const left = async () =>
        oneRow(
          (
            await db.client.query<{ left: boolean }>(
              `SELECT EXISTS (SELECT 1 FROM jobs WHERE ${OLDEST_DAY}) AS left`,
            )
          ).rows,
        ).left;
      while (await left()) {
        check(
          Date.now() < deadline,
          `retention did not delete the oldest day within ${RETENTION_LIMIT_MS / 60_000} min`,
        );
        await sleep(500);
      }
      return (performance.now() - started) / 1000;
    })();
    // The claims take what the full table's phase left of its backlog: the load adds only its submits.
    const during = await measure(api, db, 'retention', { queue: 'claim-full', backlog: false });
    const seconds = await gone;
    const added = (await db.count()) - (rowsBefore - doomed);
    return { deleted: doomed, seconds, during, added, watched: await watching.stop() };
  } finally {
    await worker.stop();
    await watching.stop();
  }
}

/**
 * Waits until autovacuum has caught up with `table` after retention: no pass of it running, and
 * fewer dead rows than start one (50 plus 2 % of its rows, migration VacuumAtScale). Seconds since
 * `since`, or null when it had not within AUTOVACUUM_LIMIT_MS. A pass that began during retention
 * may end before it and leave fewer dead rows than the next would need: that counts as caught up.
 */
async function vacuumCaughtUp(client: pg.Client, table: string, since: Date): Promise<number | null> {
  const deadline = Date.now() + AUTOVACUUM_LIMIT_MS;
  while (Date.now() < deadline) {
    const { rows } = await client.query<{ done: boolean }>(
      `SELECT s.n_dead_tup <= 50 + 0.02 * greatest(c.reltuples, 0)
              AND NOT EXISTS (SELECT 1 FROM pg_stat_progress_vacuum v WHERE v.relid = s.relid) AS done
       FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
       WHERE s.relname = $1 AND s.schemaname = 'public'`,
      [table],
    );
    if (oneRow(rows).done) return (Date.now() - since.getTime()) / 1000;
    await sleep(2000);
  }
  return null;
}

/** A fresh small table (SEED finished jobs, the same queues) with its own api instance, measured. */
async function smallTable(server: BenchServer, phase: string): Promise<Figures> {
  const db = await server.database();
  const api = await startService(db.url, { CONVEYOR_ROLE: 'api' });
  try {
    await fill(db.client, {
      count: SEED,
      fromSecondsAgo: DAYS * DAY_SECONDS,
      toSecondsAgo: 60,
      name: 'seed',
    });
    await db.client.query('CHECKPOINT');
    log(`small table (${fmt(SEED)} finished jobs), ${phase}: ${fmt(BACKLOG)} jobs of backlog`);
    return await measure(api, db, phase);
  } finally {
    await api.stop();
    await db.drop();
  }
}

const met = (within: boolean): string => (within ? '✓' : '✗');

async function main(): Promise<void> {
  const server = await openServer();
  const db = await server.database();
  // A second connection to the same database, for the retention watcher: the first one counts.
  const watcher = new pg.Client({ connectionString: db.url });
  await watcher.connect();
  const api = await startService(db.url, { CONVEYOR_ROLE: 'api' });
  try {
    // The small table is measured before the fill and again after the full one, each on a fresh
    // database: the machine's own drift between the two (it has been seen to slow down by a tenth
    // over minutes) shows as the difference between them, and does not pass for the table's cost.
    // It has the same queues and a full sample of recent completions for GET /v1/stats (it reads
    // the last 1,000): what differs from the full table is its size.
    const smallBefore = await smallTable(server, 'small-before');

    log(`filling ${fmt(TOTAL)} finished jobs over ${DAYS} days`);
    const fillSeconds = await fill(db.client, {
      count: TOTAL,
      fromSecondsAgo: DAYS * DAY_SECONDS,
      toSecondsAgo: 60,
      name: 'ten-days',
    });
    // What autovacuum does to a table filled over days: visibility map set, statistics current.
    await db.client.query('VACUUM (ANALYZE) jobs');
    await db.client.query('VACUUM (ANALYZE) job_events');
    // On disk, as a table filled over days is: not gigabytes of dirty pages still being written
    // back while the figures are taken.
    await db.client.query('CHECKPOINT');
    const filled = await sizes(db.client);
    log(
      `  filled in ${fmt(fillSeconds)} s: jobs ${fmt(filled.jobsMiB)} MiB, history ${fmt(filled.eventsMiB)} MiB`,
    );
    const baseline = watch(watcher);
    const full = await measure(api, db, 'full');
    const withoutRetention = await baseline.stop();
    const smallAfter = await smallTable(server, 'small-after');

    const before = await sizes(db.client);
    log(`retention of the oldest day (${DAYS - 1} days kept)`);
    const retained = await retention(api, db, watcher);
    const retentionEnd = new Date();
    log(
      `  ${fmt(retained.deleted)} jobs in ${fmt(retained.seconds)} s; longest statement ` +
        `${fmt(retained.watched.longestRetentionMs)} ms; waits behind retention in ` +
        `${retained.watched.behindRetention} of ${retained.watched.samples} samples`,
    );
    log('waiting for autovacuum to come by jobs and job_events');
    const jobsVacuumed = await vacuumCaughtUp(db.client, 'jobs', retentionEnd);
    const eventsVacuumed = await vacuumCaughtUp(db.client, 'job_events', retentionEnd);
    log(`  jobs after ${String(jobsVacuumed)} s, job_events after ${String(eventsVacuumed)} s`);
    // As many rows as retention took away, counting those the API's load added meanwhile: the
    // table then holds what it held before retention, and should take no more room.
    log('a new day of jobs');
    await fill(db.client, {
      count: Math.max(0, retained.deleted - retained.added),
      fromSecondsAgo: DAY_SECONDS,
      toSecondsAgo: 0,
      name: 'next-day',
    });
    const after = await sizes(db.client);
    const growth = (after.jobsMiB + after.eventsMiB) / (before.jobsMiB + before.eventsMiB) - 1;
    log(
      `  jobs ${fmt(before.jobsMiB)} → ${fmt(after.jobsMiB)} MiB, history ${fmt(before.eventsMiB)} → ${fmt(after.eventsMiB)} MiB`,
    );

    // Each figure of the full table against the mean of the small table's two.
    const rows: [string, string, string, string, number, boolean][] = [];
    const compare = (
      name: string,
      pick: (figures: Figures) => number,
      unit: string,
      higherIsBetter: boolean,
    ) => {
      const [b, f, a] = [pick(smallBefore), pick(full), pick(smallAfter)];
      const r = f / ((b + a) / 2);
      const shown = (n: number) => (unit === '/s' ? `${fmt(n)}/s` : `${n} ms`);
      rows.push([name, shown(b), shown(a), shown(f), r, higherIsBetter ? r >= 1 - WITHIN : r <= 1 + WITHIN]);
    };
    compare('submit throughput (HTTP, 50 connections)', (x) => x.submit.requestsPerSecond, '/s', true);
    compare('claim of 10, p50 (4 connections)', (x) => x.claim.latencyMs.p50, 'ms', false);
    compare('claim of 10, p99', (x) => x.claim.latencyMs.p99, 'ms', false);
    compare('GET /v1/stats, p50', (x) => x.stats.p50, 'ms', false);
    compare('GET /v1/stats, p95', (x) => x.stats.p95, 'ms', false);
    compare('GET /v1/jobs (first page of 50), p50', (x) => x.list.p50, 'ms', false);
    compare('GET /v1/jobs (first page of 50), p95', (x) => x.list.p95, 'ms', false);

    const on = machine();
    const stamp = new Date().toISOString();
    const table =
      `Conveyor, ten million jobs, ${stamp}${quick ? ' (quick: not figures to quote)' : ''}\n` +
      `${setupLine(on, server)}, shared_buffers=${server.settings.shared_buffers}\n\n` +
      `${fmt(TOTAL)} finished jobs over ${DAYS} days (${fmt(filled.jobsMiB)} MiB of jobs, ` +
      `${fmt(filled.eventsMiB)} MiB of history; filled in ${fmt(fillSeconds)} s), plus a live backlog of ` +
      `${fmt(BACKLOG)} in the claimed queue; ${LOAD.seconds} s of load after ${LOAD.warmupSeconds} s of ` +
      `warm-up, ${READS} reads one at a time.\n\n` +
      `| figure | small table (${fmt(SEED)} finished), before | the same, after | ${fmt(TOTAL)} finished | full / small (mean) | within ${WITHIN * 100} % |\n|---|---|---|---|---|---|\n` +
      rows
        .map(([name, b, a, f, r, ok]) => `| ${name} | ${b} | ${a} | ${f} | ${r.toFixed(2)} | ${met(ok)} |`)
        .join('\n') +
      `\n\nAn autovacuum worker was at work in ${withoutRetention.vacuuming} of ${withoutRetention.samples} samples ` +
      `(every 20 ms) of the full table's measurement.` +
      `\n\nRetention of the oldest day, by a worker instance (batches of 1,000, 50 a run, a run a second, a pause as long as each batch between two):\n\n` +
      `| figure | value |\n|---|---|\n` +
      `| jobs deleted (with their history) | ${fmt(retained.deleted)} in ${fmt(retained.seconds)} s (${fmt(retained.deleted / retained.seconds)}/s) |\n` +
      `| longest retention statement (sampled every 20 ms) | ${fmt(retained.watched.longestRetentionMs)} ms |\n` +
      `| samples with a backend waiting for a lock behind retention | ${retained.watched.behindRetention} of ${retained.watched.samples}${retained.watched.blocked.length > 0 ? `: ${retained.watched.blocked.join('; ')}` : ''} |\n` +
      `| samples with any lock wait: during retention / the same load without it | ${retained.watched.lockWaits} of ${retained.watched.samples} / ${withoutRetention.lockWaits} of ${withoutRetention.samples} |\n` +
      `| meanwhile: submit throughput, p99 | ${fmt(retained.during.submit.requestsPerSecond)}/s, ${retained.during.submit.latencyMs.p99} ms |\n` +
      `| meanwhile: claim of 10, p50 / p99 | ${retained.during.claim.latencyMs.p50} / ${retained.during.claim.latencyMs.p99} ms |\n` +
      `| meanwhile: GET /v1/stats p50 / p95 | ${retained.during.stats.p50} / ${retained.during.stats.p95} ms |\n` +
      `| autovacuum caught up with jobs / job_events after retention | ${jobsVacuumed === null ? 'not within the limit' : `${fmt(jobsVacuumed)} s`} / ${eventsVacuumed === null ? 'not within the limit' : `${fmt(eventsVacuumed)} s`} |\n` +
      `| size before retention → after a new day (jobs + history) | ${fmt(before.jobsMiB + before.eventsMiB)} → ${fmt(after.jobsMiB + after.eventsMiB)} MiB (${(growth * 100).toFixed(1)} %), ${fmt(before.rows)} → ${fmt(after.rows)} rows |\n`;
    writeResults(
      `ten-million-${stamp.replace(/[:.]/g, '-')}`,
      {
        date: stamp,
        quick,
        machine: on,
        server: server.settings,
        total: TOTAL,
        days: DAYS,
        backlog: BACKLOG,
        fillSeconds,
        filled,
        smallBefore,
        smallAfter,
        full,
        retention: retained,
        withoutRetention,
        autovacuumSeconds: { jobs: jobsVacuumed, jobEvents: eventsVacuumed },
        before,
        after,
        growth,
      },
      table,
    );
  } finally {
    await api.stop();
    await watcher.end();
    await db.drop();
    await server.stop();
  }
}

await main();
