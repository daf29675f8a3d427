// The flow-control workloads of issue #14 (docs/queues.md): per-key fairness under a hot key,
// cancel → abort, pause → last claim, and a thousand long polls on one instance. Each checks what it
// measured was done right, as the other workloads do; every loop is bounded in count or time.
import type pg from 'pg';
import { type BenchServer, insertBacklog, oneRow } from './database.js';
import {
  check,
  get,
  type Checked,
  keyOf,
  type Percentiles,
  percentiles,
  post,
  sleep,
  withService,
} from './harness.js';
import { epochMs, HOLD_JOB, PACED_JOB } from './bench-handlers.js';
import { startService } from './service.js';

/** The database clock now, in ms since the epoch. */
async function dbNowMs(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ ms: string }>(
    `SELECT extract(epoch FROM clock_timestamp()) * 1000 AS ms`,
  );
  return Number(oneRow(rows).ms);
}

export interface KeysResult extends Checked {
  /** Per key, from the backlog's commit to its first job's start. */
  firstStartMs: Percentiles;
  /** The most jobs of one key seen running at once, sampled from the database. */
  mostRunningPerKey: number;
  samples: number;
}

/**
 * A per-key limit of 1 on a backlog over 1,000 concurrency keys, half of it on one hot key whose
 * jobs come first in the queue's order (the case where a window of the oldest jobs would hold
 * nothing else). Measures, per key, how long after the backlog was committed its first job started
 * (claimed_at, the database clock), and samples from the database, every 20 ms, the most jobs of
 * one key running at once. The jobs sleep 10 ms (the shipped `sleep` handler, 200 at a time), so
 * a key's jobs would overlap if the limit let them.
 */
export async function keyFairness(
  server: BenchServer,
  { keys = 1000, jobsPerKey = 5 }: { keys?: number; jobsPerKey?: number } = {},
): Promise<KeysResult> {
  return withService(
    server,
    { CONVEYOR_ROLE: 'worker', CONVEYOR_HANDLER_CONCURRENCY: '200' },
    async (_service, db) => {
      await db.client.query(
        `INSERT INTO queue_controls (namespace, queue, key_concurrency_limit) VALUES ('default', 'default', 1)`,
      );
      const others = (keys - 1) * jobsPerKey;
      // The hot key holds half the backlog, and its jobs are due a minute earlier: first in line.
      await db.client.query(
        `INSERT INTO jobs (id, namespace, queue, type, payload, status, max_attempts, backoff,
                           idempotency_key, concurrency_key, run_at)
         SELECT gen_random_uuid(), 'default', 'default', 'sleep', '{"ms":10}', 'pending', 5,
                '{"type":"exponential","delayMs":1000,"maxDelayMs":300000}', 'k-' || i,
                CASE WHEN i <= $1::int THEN 'hot' ELSE 'key-' || (i % $2::int) END,
                CASE WHEN i <= $1::int THEN now() - interval '1 minute' ELSE now() END
         FROM generate_series(1, 2 * $1::int) AS i`,
        [others, keys - 1],
      );
      const committedMs = await dbNowMs(db.client);
      let mostRunningPerKey = 0;
      let samples = 0;
      let started = 0;
      const deadline = performance.now() + 30_000;
      while (started < keys && performance.now() < deadline) {
        const { rows } = await db.client.query<{ most: number; started: number }>(
          `SELECT (SELECT coalesce(max(n), 0)::int FROM (
                     SELECT count(*) AS n FROM jobs WHERE status = 'processing' GROUP BY concurrency_key) k) AS most,
                  (SELECT count(DISTINCT concurrency_key)::int FROM jobs WHERE claimed_at IS NOT NULL) AS started`,
        );
        const row = oneRow(rows);
        mostRunningPerKey = Math.max(mostRunningPerKey, row.most);
        started = row.started;
        samples += 1;
        await sleep(20);
      }
      check(started === keys, `${started} of ${keys} keys started within 30 s`);
      const { rows } = await db.client.query<{ ms: string }>(
        `SELECT extract(epoch FROM min(claimed_at)) * 1000 AS ms FROM jobs
         WHERE claimed_at IS NOT NULL GROUP BY concurrency_key`,
      );
      const firstStartMs = percentiles(rows.map((row) => Math.max(0, Number(row.ms) - committedMs)));
      check(
        mostRunningPerKey <= 1,
        `a key had ${mostRunningPerKey} jobs running at once, over its limit of 1`,
      );
      return {
        firstStartMs,
        mostRunningPerKey,
        samples,
        checked: `${keys} keys started, at most ${mostRunningPerKey} running per key in ${samples} samples`,
      };
    },
  );
}

export interface CancelResult extends Checked {
  /** From the client sending POST /v1/jobs/{id}/cancel to the handler's signal aborting. */
  abortMs: Percentiles;
}

/**
 * Cancels running in-process jobs one every 20 ms, 50 running at a time (the hold handler, which
 * waits on its signal and prints when it aborts), and times each from the client's request to
 * the abort in the handler, both on this machine's clock.
 */
export async function cancelToAbort(
  server: BenchServer,
  { cancels = 200 }: { cancels?: number } = {},
): Promise<CancelResult> {
  const started: string[] = [];
  const aborted = new Map<string, number>();
  const onLine = (line: string): void => {
    const [event, id, at] = line.split(' ');
    if (event === 'started' && id !== undefined) started.push(id);
    if (event === 'aborted' && id !== undefined) aborted.set(id, Number(at));
  };
  return withService(
    server,
    { CONVEYOR_ROLE: 'all', LOG_LEVEL: 'warn' },
    async (service, db) => {
      await insertBacklog(db.client, { count: cancels, type: HOLD_JOB.type, queue: HOLD_JOB.queue });
      const waitFor = async (what: string, done: () => boolean): Promise<void> => {
        for (const deadline = performance.now() + 10_000; !done(); await sleep(5)) {
          check(performance.now() < deadline, `${what} within 10 s`);
        }
      };
      await waitFor(`${HOLD_JOB.concurrency} jobs started`, () => started.length >= HOLD_JOB.concurrency);
      const sentAt = new Map<string, number>();
      const answers: Promise<unknown>[] = [];
      for (let n = 0; n < cancels; n += 1) {
        await waitFor('a job to cancel', () => started.length > n);
        const id = started[n];
        if (id === undefined) throw new Error('waited for a started job that is not there');
        sentAt.set(id, epochMs());
        answers.push(post(service, `/v1/jobs/${id}/cancel`, {}));
        await sleep(20);
      }
      const jobs = (await Promise.all(answers)) as { status: string }[];
      check(
        jobs.every((job) => job.status === 'cancelled'),
        `cancel answered ${JSON.stringify(jobs.find((job) => job.status !== 'cancelled'))}`,
      );
      await waitFor(`${cancels} aborts`, () => aborted.size >= cancels);
      const latencies = [...sentAt].map(([id, sent]) => (aborted.get(id) ?? Number.NaN) - sent);
      check(!latencies.some(Number.isNaN), 'a cancelled job whose handler never aborted');
      const counted = await db.count(`status = 'cancelled' AND attempts = 1`);
      check(counted === cancels, `${counted} of ${cancels} jobs cancelled in their first attempt`);
      return {
        abortMs: percentiles(latencies),
        checked: `${cancels} running jobs cancelled, each handler's signal aborted`,
      };
    },
    { benchHandlers: { onLine } },
  );
}

export interface PauseResult extends Checked {
  /** From the client sending POST /v1/queues/{queue}/pause to the last claim of the queue's jobs. */
  lastClaimMs: Percentiles;
  /** From the client sending the resume to the first claim after it. */
  firstClaimMs: Percentiles;
  /** Jobs claimed in the run, on either instance. */
  claimed: number;
}

/**
 * Two instances drain a backlog of 10 ms jobs (the bench's paced handler, 20 at a time each, in a
 * queue of its own) while the queue is paused and resumed, again and again. Per pause: from the
 * client sending it to the last claim that took one of the queue's jobs (claimed_at: when the
 * claim statement ran, by the database clock); per resume, to the first claim after it.
 */
export async function pauseToLastClaim(
  server: BenchServer,
  { rounds = 30 }: { rounds?: number } = {},
): Promise<PauseResult> {
  const env = { CONVEYOR_ROLE: 'all', LOG_LEVEL: 'warn' };
  const options = { benchHandlers: { onLine: () => undefined } };
  const backlog = 100_000;
  return withService(
    server,
    env,
    async (service, db) => {
      const other = await startService(db.url, env, options);
      try {
        await insertBacklog(db.client, { count: backlog, type: PACED_JOB.type, queue: PACED_JOB.queue });
        const claimMs = async (which: 'min' | 'max', after: number): Promise<number> => {
          const { rows } = await db.client.query<{ ms: string | null }>(
            `SELECT extract(epoch FROM ${which}(claimed_at)) * 1000 AS ms FROM jobs
             WHERE claimed_at >= to_timestamp($1::double precision / 1000)`,
            [after],
          );
          const ms = oneRow(rows).ms;
          return ms === null ? Number.NaN : Number(ms);
        };
        const paused: number[] = [];
        const resumed: number[] = [];
        let resumedAt = epochMs();
        for (let round = 0; round < rounds; round += 1) {
          await sleep(200);
          const first = await claimMs('min', resumedAt);
          check(!Number.isNaN(first), `round ${round}: no claim in the 200 ms after the resume`);
          if (round > 0) resumed.push(Math.max(0, first - resumedAt));
          const sent = epochMs();
          await post(service, `/v1/queues/${PACED_JOB.queue}/pause`, {});
          await sleep(250);
          const last = await claimMs('max', sent - 1000);
          paused.push(Math.max(0, last - sent));
          resumedAt = epochMs();
          await post(service, `/v1/queues/${PACED_JOB.queue}/resume`, {});
        }
        const claimed = await db.count(`claimed_at IS NOT NULL`);
        check(claimed < backlog, 'the backlog ran out before the last pause');
        return {
          lastClaimMs: percentiles(paused),
          firstClaimMs: percentiles(resumed),
          claimed,
          checked: `${rounds} pauses of a queue drained by 2 instances, ${claimed} jobs claimed meanwhile`,
        };
      } finally {
        await other.stop();
      }
    },
    options,
  );
}

export interface WaitersResult extends Checked {
  /** From a job's completion (its updated_at, the database clock) to its waiter's answer. */
  wokenMs: Percentiles;
  /** Resident memory of the instance while the waits were open, over the same before them. */
  rssGrowthMiB: number;
}

/** How many awaited jobs one acknowledgement completes, one every as many ms: 1,000 a second. */
const COMPLETED_AT_ONCE = 25;

/**
 * `waiters` clients each wait on a job of their own (GET /v1/jobs/{id}?wait=60) on one API
 * instance, and the jobs complete over REST, 25 every 25 ms (a busy fleet of workers: 1,000
 * completions a second). Measures each waiter's answer from its job's completion (the completing
 * statement's start, so the figure includes its commit), and the instance's memory with every
 * wait open against before.
 */
export async function waiters(
  server: BenchServer,
  { waiters: count = 1000 }: { waiters?: number } = {},
): Promise<WaitersResult> {
  return withService(server, { CONVEYOR_ROLE: 'api' }, async (service, db) => {
    const submitted = (await post(service, '/v1/jobs/batch', {
      jobs: Array.from({ length: count }, (_, i) => ({
        type: 'bench.wait',
        queue: 'waiters',
        payload: { i },
        idempotencyKey: `w-${i}`,
      })),
    })) as { jobs: { status: number; id?: string }[] };
    const ids = submitted.jobs.flatMap((job) => (job.status === 201 && job.id !== undefined ? [job.id] : []));
    check(ids.length === count, `${ids.length} jobs created of ${count}`);
    // Warm: as many reads without wait, 100 at a time, so that the baseline is that of an instance
    // that has served this traffic (its heap grown to it), and the growth is what the waits hold.
    for (let n = 0; n < count; n += 100) {
      await Promise.all(ids.slice(n, n + 100).map((id) => get(service, `/v1/jobs/${id}`)));
    }
    const baseline = service.rssMiB() ?? 0;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, service.rssMiB() ?? 0);
    }, 50);
    try {
      const answeredAt = new Map<string, number>();
      const answers = ids.map(async (id) => {
        const response = await fetch(`${service.base}/v1/jobs/${id}?wait=60`, {
          headers: { authorization: `Bearer ${keyOf(service)}` },
        });
        answeredAt.set(id, epochMs());
        check(response.status === 200, `a wait answered ${response.status}`);
        return (await response.json()) as { status: string };
      });
      const registered = async (): Promise<number> => {
        const { rows } = await db.client.query<{ n: number }>(`SELECT count(*)::int AS n FROM job_waits`);
        return oneRow(rows).n;
      };
      for (const deadline = performance.now() + 10_000; (await registered()) < count; await sleep(20)) {
        check(performance.now() < deadline, `${await registered()} of ${count} waits registered in 10 s`);
      }
      check(answeredAt.size === 0, `${answeredAt.size} waits answered before their job finished`);
      for (let done = 0; done < count; done += COMPLETED_AT_ONCE) {
        const { jobs } = (await post(service, '/v1/jobs/claim', {
          queue: 'waiters',
          limit: COMPLETED_AT_ONCE,
        })) as { jobs: { id: string; leaseToken: string }[] };
        await post(service, '/v1/jobs/ack', {
          complete: jobs.map((job) => ({ id: job.id, leaseToken: job.leaseToken })),
        });
        await sleep(COMPLETED_AT_ONCE);
      }
      const jobs = await Promise.all(answers);
      check(
        jobs.every((job) => job.status === 'completed'),
        `a wait answered ${JSON.stringify(jobs.find((job) => job.status !== 'completed'))}`,
      );
      const { rows } = await db.client.query<{ id: string; ms: string }>(
        `SELECT id, extract(epoch FROM updated_at) * 1000 AS ms FROM jobs WHERE status = 'completed'`,
      );
      check(rows.length === count, `${rows.length} of ${count} jobs completed`);
      const woken = rows.map((row) => (answeredAt.get(row.id) ?? Number.NaN) - Number(row.ms));
      check(!woken.some(Number.isNaN), 'a completed job whose wait never answered');
      return {
        wokenMs: percentiles(woken),
        rssGrowthMiB: Number((peak - baseline).toFixed(1)),
        checked: `${count} waits open at once, each answered with its completed job`,
      };
    } finally {
      clearInterval(sampler);
    }
  });
}
