// The workloads of `npm run bench`. Each one starts its own service on its own database, measures
// one thing, and checks that the work was done right (counts, no duplicates): a fast wrong answer
// fails the run. Every loop is bounded in count or time.
import type pg from 'pg';
import { epochMs } from './bench-handlers.js';
import { type BenchServer, insertBacklog, oneRow } from './database.js';
import {
  type CallLatency,
  check,
  get,
  type Checked,
  drained,
  keyOf,
  latencyOf,
  type Percentiles,
  percentiles,
  post,
  sleep,
  timeUntil,
  withService,
} from './harness.js';
import { httpLoad, type HttpLoad, type LoadLatency } from './load.js';

export interface SubmitResult extends Checked {
  jobsPerSecond: number;
  latencyMs: LoadLatency;
}

export interface DuplicatesResult extends Checked {
  keysPerSecond: number;
  latencyMs: LoadLatency;
}

export interface DrainResult extends Checked {
  jobsPerSecond: number;
  seconds: number;
}

export interface SubmitToStartResult extends Checked {
  latencyMs: Percentiles;
}

export interface StatsResult extends Checked {
  latencyMs: CallLatency;
}

export interface MemoryResult extends Checked {
  rssMiB: { max: number; firstThird: number; lastThird: number };
  samplesMiB: number[];
  jobsPerSecond: number;
}

/** How long and how hard an HTTP load runs. */
export interface LoadSize {
  seconds: number;
  warmupSeconds: number;
}

/** POST /v1/jobs, every request a new idempotency key. */
export async function submitUnique(
  server: BenchServer,
  { seconds, warmupSeconds, connections = 50, pool = 10 }: LoadSize & { connections?: number; pool?: number },
): Promise<SubmitResult> {
  return withService(
    server,
    { CONVEYOR_ROLE: 'api', CONVEYOR_DB_POOL_SIZE: String(pool) },
    async (service, db) => {
      const load = await httpLoad({
        base: service.base,
        key: keyOf(service),
        path: '/v1/jobs',
        connections,
        seconds,
        warmupSeconds,
        body: (i) =>
          JSON.stringify({ type: 'bench.submit', queue: 'bench', payload: { i }, idempotencyKey: `u-${i}` }),
      });
      const jobs = await db.count();
      const created = load.statuses[201] ?? 0;
      check(
        Object.keys(load.statuses).every((status) => status === '201'),
        `statuses ${JSON.stringify(load.statuses)}`,
      );
      check(load.errors === 0, `${load.errors} connection errors`);
      // Requests cut off when the clock ran out may still have been written: never more than were sent.
      check(
        jobs >= created && jobs <= load.sent,
        `${jobs} jobs for ${created} answers 201 of ${load.sent} sent`,
      );
      return {
        jobsPerSecond: load.requestsPerSecond,
        latencyMs: load.latencyMs,
        checked: `${created} × 201, ${jobs} jobs, one per key`,
      };
    },
  );
}

/** POST /v1/jobs, each idempotency key sent twice at the same moment (two connections). */
export async function submitDuplicates(
  server: BenchServer,
  { seconds, warmupSeconds, connections = 50 }: LoadSize & { connections?: number },
): Promise<DuplicatesResult> {
  return withService(server, { CONVEYOR_ROLE: 'api' }, async (service, db) => {
    const load = await httpLoad({
      base: service.base,
      key: keyOf(service),
      path: '/v1/jobs',
      connections,
      seconds,
      warmupSeconds,
      // Requests i and i+1 go out on neighbouring connections in the same instant.
      body: (i) => {
        const k = Math.floor(i / 2);
        return JSON.stringify({
          type: 'bench.dup',
          queue: 'bench',
          payload: { k },
          idempotencyKey: `d-${k}`,
        });
      },
    });
    const { rows } = await db.client.query<{ jobs: number; keys: number }>(
      `SELECT count(*)::int AS jobs, count(DISTINCT idempotency_key)::int AS keys FROM jobs`,
    );
    const { jobs, keys } = oneRow(rows);
    const created = load.statuses[201] ?? 0;
    const replayed = load.statuses[200] ?? 0;
    check(
      Object.keys(load.statuses).every((status) => status === '201' || status === '200'),
      `statuses ${JSON.stringify(load.statuses)}`,
    );
    check(jobs === keys, `${jobs} jobs for ${keys} keys: a key made two jobs`);
    check(
      created <= jobs && jobs <= Math.ceil(load.sent / 2),
      `${jobs} jobs, ${created} × 201, ${load.sent} sent`,
    );
    check(replayed >= created - connections, `only ${replayed} replays for ${created} creations`);
    return {
      keysPerSecond: load.requestsPerSecond / 2,
      latencyMs: load.latencyMs,
      checked: `${created} × 201, ${replayed} × 200, ${jobs} jobs for ${keys} keys`,
    };
  });
}

/** POST /v1/jobs/batch, 1,000 jobs per call. */
export async function submitBatches(
  server: BenchServer,
  {
    seconds,
    warmupSeconds,
    connections = 4,
    size = 1000,
  }: LoadSize & { connections?: number; size?: number },
): Promise<SubmitResult> {
  return withService(server, { CONVEYOR_ROLE: 'api' }, async (service, db) => {
    const load = await httpLoad({
      base: service.base,
      key: keyOf(service),
      path: '/v1/jobs/batch',
      connections,
      seconds,
      warmupSeconds,
      body: (i) =>
        JSON.stringify({
          jobs: Array.from({ length: size }, (_, j) => ({
            type: 'bench.batch',
            queue: 'bench',
            payload: { i, j },
            idempotencyKey: `b-${i}-${j}`,
          })),
        }),
    });
    // Calls cut off when the clock ran out are still being written (a batch is two INSERTs of 500,
    // each committed on its own): wait until the count has stayed still for a second. A slow disk
    // can hold one commit back for more than a single 100 ms poll.
    let jobs = await db.count();
    for (let round = 0, still = 0; round < 300 && still < 10; round += 1) {
      await sleep(100);
      const now = await db.count();
      still = now === jobs ? still + 1 : 0;
      jobs = now;
    }
    const answered = load.statuses[200] ?? 0;
    check(
      Object.keys(load.statuses).every((status) => status === '200'),
      `statuses ${JSON.stringify(load.statuses)}`,
    );
    check(
      jobs >= answered * size && jobs <= load.sent * size,
      `${jobs} jobs for ${answered} batches answered`,
    );
    check(jobs % size === 0, `${jobs} jobs: a batch was left written in part`);
    return {
      jobsPerSecond: load.requestsPerSecond * size,
      latencyMs: load.latencyMs,
      checked: `${answered} batches of ${size}, ${jobs} jobs`,
    };
  });
}

export interface LimitedDrainResult extends DrainResult {
  /** The same drain without the limit, in the same run. */
  unlimitedJobsPerSecond: number;
}

/**
 * The in-process drain twice, on fresh databases: without limits, then with a global concurrency
 * limit on the queue at the handler's concurrency (docs/queues.md), which sends every claim down
 * the limited path of the claim statement (row lock, counts, window) without ever being the cap.
 */
export async function drainLimited(
  server: BenchServer,
  { jobs }: { jobs: number },
): Promise<LimitedDrainResult> {
  const unlimited = await drainInProcess(server, { jobs });
  const limited = await drainInProcess(server, { jobs, concurrencyLimit: NOOP_CONCURRENCY });
  return { ...limited, unlimitedJobsPerSecond: unlimited.jobsPerSecond };
}

/** The shipped `noop` handler's concurrency per instance. */
const NOOP_CONCURRENCY = 200;

/**
 * A backlog of no-op jobs run by the in-process worker (the shipped `noop` handler); with
 * `concurrencyLimit`, under that global limit on its queue.
 */
export async function drainInProcess(
  server: BenchServer,
  { jobs, concurrencyLimit }: { jobs: number; concurrencyLimit?: number },
): Promise<DrainResult> {
  return withService(server, { CONVEYOR_ROLE: 'worker' }, async (_service, db) => {
    if (concurrencyLimit !== undefined) {
      await db.client.query(
        `INSERT INTO queue_controls (namespace, queue, concurrency_limit) VALUES ('default', 'default', $1)`,
        [concurrencyLimit],
      );
    }
    await insertBacklog(db.client, { count: jobs, type: 'noop', queue: 'default' });
    const seconds = await timeUntil(() => drained(db.client), 600);
    const { rows } = await db.client.query<{ other: number; reattempted: number }>(
      `SELECT count(*) FILTER (WHERE status <> 'completed')::int AS other,
              count(*) FILTER (WHERE attempts <> 1)::int AS reattempted
       FROM jobs`,
    );
    const row = oneRow(rows);
    check(row.other === 0 && row.reattempted === 0, `after the drain: ${JSON.stringify(row)}`);
    return { jobsPerSecond: jobs / seconds, seconds, checked: `${jobs} completed, each in one attempt` };
  });
}

/** A backlog drained over REST by external workers: claim 100, then one batch acknowledge. */
export async function drainOverRest(
  server: BenchServer,
  { jobs, workers = 8 }: { jobs: number; workers?: number },
): Promise<DrainResult> {
  return withService(server, { CONVEYOR_ROLE: 'api' }, async (service, db) => {
    await insertBacklog(db.client, { count: jobs, type: 'bench.rest', queue: 'rest' });
    let acknowledged = 0;
    const worker = async () => {
      // Bounded: at most one claim per job, plus the empty claims that end the loop.
      for (let round = 0; round <= jobs; round += 1) {
        const { jobs: claimed } = (await post(service, '/v1/jobs/claim', {
          queue: 'rest',
          limit: 100,
          workerId: 'bench',
        })) as { jobs: { id: string; leaseToken: string }[] };
        if (claimed.length === 0) return;
        const { results } = (await post(service, '/v1/jobs/ack', {
          complete: claimed.map((job) => ({ id: job.id, leaseToken: job.leaseToken })),
        })) as { results: { outcome: string }[] };
        check(
          results.every((result) => result.outcome === 'completed'),
          `ack refused: ${JSON.stringify(results.find((r) => r.outcome !== 'completed'))}`,
        );
        acknowledged += results.length;
      }
    };
    const start = performance.now();
    await Promise.all(Array.from({ length: workers }, worker));
    const seconds = (performance.now() - start) / 1000;
    const completed = await db.count(`status = 'completed' AND attempts = 1`);
    check(
      acknowledged === jobs && completed === jobs,
      `${acknowledged} acknowledged, ${completed} completed of ${jobs}`,
    );
    return {
      jobsPerSecond: jobs / seconds,
      seconds,
      checked: `${jobs} completed by ${workers} REST workers, each once`,
    };
  });
}

/**
 * Submits at a steady rate and measures, per job, from the moment the client sent the submit to
 * the moment the in-process worker claimed it, the instant before its handler starts (claimed_at,
 * by the database clock, which is this machine's clock).
 */
export async function submitToStart(
  server: BenchServer,
  { seconds, warmupSeconds, rate = 200 }: LoadSize & { rate?: number },
): Promise<SubmitToStartResult> {
  return withService(server, { CONVEYOR_ROLE: 'all' }, async (service, db) => {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${keyOf(service)}` };
    /** Job id → when its submit was sent, in ms since the epoch. */
    const sentAt = new Map<string, number>();
    // The first second opens pool connections and warms the JIT: its jobs run, but do not count.
    const warmup = Math.round(warmupSeconds * rate);
    const total = warmup + Math.round(seconds * rate);
    const start = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < total; i += 1) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const at = epochMs();
      inFlight.push(
        fetch(`${service.base}/v1/jobs`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ type: 'noop', payload: { i }, idempotencyKey: `l-${i}` }),
        }).then(async (response) => {
          check(response.status === 201, `submit answered ${response.status}`);
          const { id } = (await response.json()) as { id: string };
          if (i >= warmup) sentAt.set(id, at);
        }),
      );
    }
    await Promise.all(inFlight);
    await timeUntil(() => drained(db.client), 60);
    // numeric arrives as a string: pg does not turn it into a JS number, which could lose digits.
    const { rows } = await db.client.query<{ id: string; claimed: string }>(
      `SELECT id, extract(epoch FROM claimed_at) * 1000 AS claimed FROM jobs`,
    );
    check(rows.length === total, `${rows.length} jobs for ${total} submits`);
    const latencies = rows.flatMap((row) => {
      const sent = sentAt.get(row.id);
      return sent === undefined ? [] : [Number(row.claimed) - sent];
    });
    check(
      latencies.length === total - warmup,
      `${latencies.length} measured jobs, ${total - warmup} expected`,
    );
    return {
      latencyMs: percentiles(latencies),
      checked: `${total} jobs at ${rate}/s (${warmup} of them warm-up), all completed`,
    };
  });
}

/** Final statuses by job number: job i ends in MIX[i % MIX.length]. 40 % completed, 20 % pending, ... */
export const STATS_MIX = [
  'completed',
  'completed',
  'completed',
  'completed',
  'pending',
  'pending',
  'failed',
  'dead_letter',
  'processing',
  'cancelled',
] as const;

/** What failed and dead-lettered jobs last failed with: most of them, in turn. */
const COMMON_ERRORS = [
  'connection timeout after 30 s',
  'HTTP 503 Service Unavailable from upstream',
  'SMTP 554: mailbox unavailable',
  'invalid payload: missing field "to"',
  'rate limited by the provider (429)',
  'DNS lookup failed for api.example.com',
];

/** The error of a few jobs only: the first failed and dead-lettered ones of every 50,000. */
export const RARE_ERROR = 'TLS handshake failed: certificate expired';

/**
 * `count` jobs in a realistic mix of statuses (`mix`) over five queues (q0–q4) and seven types
 * (t0–t6), made the only way the database lets anyone make them (migration GuardedJobs): born
 * pending, then moved by the lifecycle's own transitions, each step one statement for all the jobs
 * it concerns. Job i ends in mix[i % mix.length]; its last change spreads over the last ten
 * minutes; failed and dead-lettered jobs carry one of six errors, or, for a few, RARE_ERROR.
 */
export async function fillJobMix(
  client: pg.Client,
  count: number,
  mix: readonly string[] = STATS_MIX,
): Promise<void> {
  const i = `(payload->>'i')::int`;
  const target = `($1::text[])[1 + ${i} % cardinality($1::text[])]`;
  await client.query(
    `INSERT INTO jobs (id, namespace, queue, type, payload, status, max_attempts, backoff, idempotency_key, run_at)
     SELECT gen_random_uuid(), 'default', 'q' || (i % 5), 't' || (i % 7), jsonb_build_object('i', i),
            'pending', 5, '{}', 'k' || i, now() - (i % 3600) * interval '1 second'
     FROM generate_series(1, $1) AS i`,
    [count],
  );
  // Each statement with the parameters it uses: the mix, then the errors.
  const steps: [string, unknown[]][] = [
    [
      `UPDATE jobs SET status = 'processing', attempts = 1, lease_token = gen_random_uuid(),
         lease_expires_at = now() + interval '1 hour', claimed_at = now() - interval '2 seconds'
       WHERE ${target} IN ('completed', 'failed', 'dead_letter', 'processing')`,
      [mix],
    ],
    [
      `UPDATE jobs SET status = 'completed', last_lease_token = lease_token, last_lease_end = 'completed',
         lease_token = NULL, lease_expires_at = NULL WHERE ${target} = 'completed'`,
      [mix],
    ],
    [
      `UPDATE jobs SET status = ${target},
         last_error = CASE WHEN ${i} % 50000 < cardinality($1::text[]) THEN $2
                           ELSE ($3::text[])[1 + ${i} / cardinality($1::text[]) % cardinality($3::text[])] END,
         last_lease_token = lease_token, last_lease_end = 'failed', lease_token = NULL, lease_expires_at = NULL
       WHERE ${target} IN ('failed', 'dead_letter')`,
      [mix, RARE_ERROR, COMMON_ERRORS],
    ],
    [`UPDATE jobs SET status = 'cancelled' WHERE ${target} = 'cancelled'`, [mix]],
    [`UPDATE jobs SET updated_at = now() - (${i} % 600) * interval '1 second'`, []],
  ];
  for (const [step, params] of steps) await client.query(step, params);
}

/** GET /v1/stats with a large table (a realistic mix of statuses over five queues). */
export async function statsLatency(
  server: BenchServer,
  { jobs, requests = 50 }: { jobs: number; requests?: number },
): Promise<StatsResult> {
  return withService(server, { CONVEYOR_ROLE: 'api' }, async (service, db) => {
    await fillJobMix(db.client, jobs);
    await db.client.query('SELECT conveyor_compact_job_stats()');
    await db.client.query('VACUUM ANALYZE jobs');
    let counted = 0;
    const latencyMs = await latencyOf(requests, async () => {
      const body = (await get(service, '/v1/stats')) as { queues: { counts: Record<string, number> }[] };
      counted = body.queues.reduce(
        (sum, queue) => sum + Object.values(queue.counts).reduce((a, b) => a + b, 0),
        0,
      );
    });
    check(counted === jobs, `stats counted ${counted} of ${jobs} jobs`);
    return { latencyMs, checked: `counts add up to ${jobs}` };
  });
}

/** Resident memory of the service under the unique-submit load, sampled every 5 s. */
export async function memoryUnderLoad(
  server: BenchServer,
  { seconds }: { seconds: number },
): Promise<MemoryResult> {
  return withService(server, { CONVEYOR_ROLE: 'api' }, async (service, db) => {
    const sampled: (number | null)[] = [];
    const sampler = setInterval(() => sampled.push(service.rssMiB()), Math.min(5000, (seconds * 1000) / 20));
    let load: HttpLoad;
    try {
      load = await httpLoad({
        base: service.base,
        key: keyOf(service),
        path: '/v1/jobs',
        connections: 50,
        seconds,
        warmupSeconds: 0,
        body: (i) =>
          JSON.stringify({ type: 'bench.soak', queue: 'bench', payload: { i }, idempotencyKey: `m-${i}` }),
      });
    } finally {
      clearInterval(sampler);
    }
    sampled.push(service.rssMiB());
    check(
      Object.keys(load.statuses).every((status) => status === '201'),
      `statuses ${JSON.stringify(load.statuses)}`,
    );
    check((await db.count()) >= (load.statuses[201] ?? 0), 'fewer jobs than answers 201');
    // A sample without a figure (no VmRSS line: the process had exited) leaves no figure to give.
    const samples = sampled.map((sample) => {
      if (sample === null) throw new Error('a memory sample found no VmRSS line in /proc/<pid>/status');
      return sample;
    });
    const third = Math.max(1, Math.floor(samples.length / 3));
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    return {
      rssMiB: {
        max: Number(Math.max(...samples).toFixed(1)),
        firstThird: Number(mean(samples.slice(0, third)).toFixed(1)),
        lastThird: Number(mean(samples.slice(-third)).toFixed(1)),
      },
      samplesMiB: samples.map((sample) => Number(sample.toFixed(1))),
      jobsPerSecond: load.requestsPerSecond,
      checked: `${samples.length} samples over ${seconds} s, ${load.statuses[201] ?? 0} jobs`,
    };
  });
}
