// The dashboard's reads (#15): every call its views make, against a large table, each timed on
// its own, one request at a time. Every answer is checked as well: a filter that answers fast
// but wrong fails the run.
import type pg from 'pg';
import { type BenchServer, oneRow } from './database.js';
import {
  type CallLatency,
  check,
  get,
  CheckFailed,
  type Checked,
  latencyOf,
  withService,
} from './harness.js';
import { fillJobMix, RARE_ERROR } from './workloads.js';

/** Mostly completed (70 %); 10 % waiting, 5 % each running, failed, dead-lettered and cancelled. */
const DASHBOARD_MIX = [
  ...Array.from({ length: 14 }, () => 'completed'),
  'pending',
  'pending',
  'processing',
  'failed',
  'dead_letter',
  'cancelled',
];

/** An error about one dead letter in six: what a search of the dead letters finds a lot of. */
const COMMON_DEAD_LETTER_ERROR = 'mailbox unavailable';

export interface DashboardResult extends Checked {
  /** Per call, by the names of DASHBOARD_CALLS. */
  latencyMs: Record<string, CallLatency>;
  slowest: { call: string; p95: number };
}

interface Job {
  id: string;
  queue: string;
  type: string;
  status: string;
  lastError: string | null;
  createdAt: string;
}

interface Page {
  items: Job[];
  nextCursor: string | null;
}

interface Call {
  name: string;
  path: () => string;
  /** Throws CheckFailed when the answer is wrong. */
  check: (body: unknown) => void;
}

/**
 * A day of per-minute counts of every queue (q0–q4), as the compactor would have folded them
 * from a steady load: about 200 completions, 10 retries and 3 dead letters a minute per queue.
 */
async function fillHistory(client: pg.Client): Promise<void> {
  await client.query(`
    INSERT INTO job_status_minutes AS m (namespace, queue, status, minute, entered)
    SELECT 'default', 'q' || q, s.status, date_trunc('minute', now()) - k * interval '1 minute',
           s.base + (k * 7 + q * 13) % 50
    FROM generate_series(0, 4) AS q,
         (VALUES ('completed', 200), ('failed', 10), ('dead_letter', 3)) AS s(status, base),
         generate_series(1, 1439) AS k
    ON CONFLICT (namespace, queue, status, minute) DO UPDATE SET entered = m.entered + excluded.entered`);
}

/** Every item of a page of `limit` is `ok`: a page that comes back short or holds others fails. */
function fullPageOf(limit: number, ok: (job: Job) => boolean, what: string) {
  return (body: unknown): void => {
    const { items } = body as Page;
    check(items.length === limit, `${what}: ${items.length} jobs, not ${limit}`);
    check(items.every(ok), `${what}: a job that does not match`);
  };
}

const contains = (job: Job, text: string): boolean =>
  job.lastError?.toLowerCase().includes(text.toLowerCase()) === true;

export async function dashboardLatency(
  server: BenchServer,
  { jobs, requests = 50 }: { jobs: number; requests?: number },
): Promise<DashboardResult> {
  return withService(server, { CONVEYOR_ROLE: 'api' }, async (service, db) => {
    await fillJobMix(db.client, jobs, DASHBOARD_MIX);
    await db.client.query('SELECT conveyor_compact_job_stats()');
    await fillHistory(db.client);
    await db.client.query('VACUUM ANALYZE');

    const rare = oneRow(
      (
        await db.client.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs WHERE last_error = $1', [
          RARE_ERROR,
        ])
      ).rows,
    ).n;
    check(rare > 0 && rare < 50, `${rare} jobs with the rare error`);
    const first = (await get(service, '/v1/jobs?limit=50')) as Page;
    const cursor = first.nextCursor;
    if (cursor === null) throw new CheckFailed('the first page of jobs is the last');
    const firstIds = new Set(first.items.map((job) => job.id));
    // Jobs to open, from all over the table.
    const { rows: sampled } = await db.client.query<{ id: string }>(
      'SELECT id FROM jobs TABLESAMPLE SYSTEM (1) LIMIT $1',
      [requests + 5],
    );
    let opened = 0;

    const calls: Call[] = [
      {
        name: 'queues',
        path: () => '/v1/queues',
        check: (body) => {
          check((body as { queues: unknown[] }).queues.length === 5, 'GET /v1/queues: not 5 queues');
        },
      },
      {
        name: 'stats',
        path: () => '/v1/stats',
        check: (body) => {
          const { queues } = body as { queues: { counts: Record<string, number> }[] };
          const counted = queues.reduce(
            (sum, queue) => sum + Object.values(queue.counts).reduce((a, b) => a + b, 0),
            0,
          );
          check(counted === jobs, `stats counted ${counted} of ${jobs} jobs`);
        },
      },
      {
        name: 'history',
        path: () => '/v1/stats/history?minutes=60',
        check: (body) => {
          const { queues } = body as { queues: { points: { completed: number }[] }[] };
          check(queues.length === 5, `history of ${queues.length} queues, not 5`);
          for (const { points } of queues) {
            check(points.length === 60, `a history of ${points.length} minutes, not 60`);
            check((points[0]?.completed ?? 0) >= 200, 'a minute of history without its completions');
          }
        },
      },
      { name: 'jobs', path: () => '/v1/jobs?limit=50', check: fullPageOf(50, () => true, 'jobs') },
      {
        name: 'jobs?queue',
        path: () => '/v1/jobs?queue=q3&limit=50',
        check: fullPageOf(50, (job) => job.queue === 'q3', 'jobs of q3'),
      },
      {
        name: 'jobs?type',
        path: () => '/v1/jobs?type=t5&limit=50',
        check: fullPageOf(50, (job) => job.type === 't5', 'jobs of type t5'),
      },
      {
        name: 'jobs?status',
        path: () => '/v1/jobs?status=failed&limit=50',
        check: fullPageOf(50, (job) => job.status === 'failed', 'failed jobs'),
      },
      {
        name: 'jobs?error',
        path: () => `/v1/jobs?error=${encodeURIComponent('certificate EXPIRED')}&limit=50`,
        check: fullPageOf(rare, (job) => job.lastError === RARE_ERROR, 'jobs with the rare error'),
      },
      {
        name: 'jobs page 2',
        path: () => `/v1/jobs?limit=50&cursor=${encodeURIComponent(cursor)}`,
        check: fullPageOf(
          50,
          (job) => !firstIds.has(job.id) && job.createdAt <= (first.items.at(-1)?.createdAt ?? ''),
          'the second page',
        ),
      },
      {
        name: 'job',
        path: () => `/v1/jobs/${sampled[opened % sampled.length]?.id ?? ''}`,
        check: (body) => {
          check((body as Job).id === sampled[opened % sampled.length]?.id, 'GET /v1/jobs/:id: another job');
          opened += 1;
        },
      },
      {
        name: 'dead-letter',
        path: () => '/v1/dead-letter?limit=50',
        check: fullPageOf(50, (job) => job.status === 'dead_letter', 'dead letters'),
      },
      {
        name: 'dead-letter?error',
        path: () => `/v1/dead-letter?error=${encodeURIComponent(COMMON_DEAD_LETTER_ERROR)}&limit=50`,
        check: fullPageOf(
          50,
          (job) => job.status === 'dead_letter' && contains(job, COMMON_DEAD_LETTER_ERROR),
          'dead letters with the common error',
        ),
      },
      {
        name: 'me',
        path: () => '/v1/me',
        check: (body) => {
          check((body as { namespace: string }).namespace === 'default', 'GET /v1/me: another namespace');
        },
      },
    ];

    const latencyMs: Record<string, CallLatency> = {};
    for (const call of calls) {
      latencyMs[call.name] = await latencyOf(requests, async () => {
        call.check(await get(service, call.path()));
      });
    }
    const [call, latency] = Object.entries(latencyMs).reduce((a, b) => (b[1].p95 > a[1].p95 ? b : a));
    return {
      latencyMs,
      slowest: { call, p95: latency.p95 },
      checked: `${calls.length} calls × ${requests}, every answer checked (${rare} jobs with the rare error)`,
    };
  });
}
