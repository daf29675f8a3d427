// `npm run bench:scale`: submit + complete throughput of 1, 2 and 4 Conveyor instances behind
// PgBouncer in transaction pooling (Debian's 1.18: LISTEN and named prepared statements off),
// against one instance straight on PostgreSQL with and without those two settings, on a real
// PostgreSQL (a throwaway embedded one, or DATABASE_URL's server). Medians of several runs; writes
// bench/results/scale-<time>.{json,md}. docs/scaling.md reads it.
//
//   npm run bench:scale                   3 runs of each layout, 10 s of load each
//   npm run bench:scale -- --quick        one short run each: checks correctness, not speed
//   npm run bench:scale -- --only pgbouncer-1,pgbouncer-4 --runs 5
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import type { ConveyorRole } from '#conveyor/config';
import { startScratchPgBouncer } from '#conveyor/database';
import { cpuBetween, cpuOf, descendantsNamed } from './lib/cpu.js';
import { type BenchDatabase, type BenchServer, oneRow, openServer } from './lib/database.js';
import { CheckFailed, check, drained, keyOf, sleep, timeUntil } from './lib/harness.js';
import { httpLoad, type HttpLoad } from './lib/load.js';
import { fmt, machine, setupLine, writeResults } from './lib/results.js';
import { type Service, startService } from './lib/service.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    only: { type: 'string' },
  },
});
const quick = values.quick;
const runs = Number(values.runs ?? (quick ? 1 : 3));
const size = quick
  ? { seconds: 2, warmupSeconds: 1, idleSeconds: 1 }
  : { seconds: 10, warmupSeconds: 3, idleSeconds: 5 };
/** HTTP connections of the load, shared out among the instances that serve the API. */
const CONNECTIONS = 32;

interface Layout {
  id: string;
  name: string;
  roles: ConveyorRole[];
  /** Through PgBouncer; otherwise straight to PostgreSQL. */
  pgbouncer: boolean;
  /** LISTEN and named prepared statements on (only straight to PostgreSQL). */
  listen: boolean;
}

const LAYOUTS: Layout[] = [
  { id: 'direct-1', name: '1 instance', roles: ['all'], pgbouncer: false, listen: true },
  { id: 'direct-1-polling', name: '1 instance', roles: ['all'], pgbouncer: false, listen: false },
  { id: 'pgbouncer-1', name: '1 instance', roles: ['all'], pgbouncer: true, listen: false },
  { id: 'pgbouncer-2', name: '2 instances', roles: ['all', 'all'], pgbouncer: true, listen: false },
  {
    id: 'pgbouncer-4',
    name: '4 instances',
    roles: ['all', 'all', 'all', 'all'],
    pgbouncer: true,
    listen: false,
  },
  {
    id: 'pgbouncer-split-4',
    name: '2 api + 2 worker',
    roles: ['api', 'api', 'worker', 'worker'],
    pgbouncer: true,
    listen: false,
  },
];

/** How a layout reaches PostgreSQL, in words. */
function route(layout: Layout): string {
  return `${layout.pgbouncer ? 'PgBouncer' : 'PostgreSQL'}, ${layout.listen ? 'LISTEN, named statements' : 'polling, unnamed statements'}`;
}

interface Run {
  /** 201 answers per second of load. */
  submitsPerSecond: number;
  /** Jobs submitted during the load and completed, per second from its start to the last completion. */
  jobsPerSecond: number;
  /** How long the last of them took to complete after the load ended. */
  tailSeconds: number;
  /** The slowest instance's 99th percentile of submit latency. */
  submitP99Ms: number;
  jobs: number;
  /**
   * CPU time per job, in µs: of the Conveyor processes together, of PgBouncer (null: none), of the
   * embedded PostgreSQL (null: DATABASE_URL's server, which runs elsewhere).
   */
  serviceCpuUs: number;
  /** The same, by role: where the split layout spends it. */
  serviceCpuUsByRole: Partial<Record<ConveyorRole, number>>;
  pgbouncerCpuUs: number | null;
  postgresCpuUs: number | null;
  /** CPU an idle instance uses (claim polls, heartbeats, the stats compactor), ms per second. */
  idleCpuMsPerSecond: number;
  /** What PostgreSQL wrote and committed per job: WAL bytes, and transactions of the database. */
  walBytes: number;
  commits: number;
}

/** The database's counters a job adds to: WAL written (by the whole server) and commits. */
async function databaseCounters(db: BenchDatabase): Promise<{ walBytes: number; commits: number }> {
  const { rows } = await db.client.query<{ walBytes: number; commits: number }>(
    `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::float8 AS "walBytes", xact_commit::float8 AS commits
     FROM pg_stat_database WHERE datname = current_database()`,
  );
  return oneRow(rows);
}

/** POST /v1/jobs of no-op jobs to every API instance at once, `seconds` long; keys start with `prefix`. */
async function submitLoad(apis: readonly Service[], seconds: number, prefix: string): Promise<HttpLoad[]> {
  return Promise.all(
    apis.map((service, n) =>
      httpLoad({
        base: service.base,
        key: keyOf(service),
        path: '/v1/jobs',
        connections: CONNECTIONS / apis.length,
        seconds,
        warmupSeconds: 0,
        body: (i) =>
          JSON.stringify({
            type: 'noop',
            queue: 'default',
            payload: {},
            idempotencyKey: `${prefix}-${n}-${i}`,
          }),
      }),
    ),
  );
}

/** Every answer was a 201, and every job of `prefix` completed in one attempt: how many there are. */
async function checked(db: BenchDatabase, loads: readonly HttpLoad[], prefix: string): Promise<number> {
  const created = loads.reduce((sum, load) => sum + (load.statuses[201] ?? 0), 0);
  const sent = loads.reduce((sum, load) => sum + load.sent, 0);
  for (const load of loads) {
    check(
      Object.keys(load.statuses).every((status) => status === '201'),
      `statuses ${JSON.stringify(load.statuses)}`,
    );
    check(load.errors === 0, `${load.errors} connection errors`);
  }
  const { rows } = await db.client.query<{ jobs: number; other: number }>(
    `SELECT count(*)::int AS jobs, count(*) FILTER (WHERE status <> 'completed' OR attempts <> 1)::int AS other
     FROM jobs WHERE idempotency_key LIKE $1`,
    [`${prefix}-%`],
  );
  const { jobs, other } = oneRow(rows);
  check(other === 0, `${other} jobs not completed in one attempt`);
  // Requests cut off when the clock ran out may still have been written: never more than were sent.
  check(jobs >= created && jobs <= sent, `${jobs} jobs for ${created} answers 201 of ${sent} sent`);
  return jobs;
}

async function measure(server: BenchServer, layout: Layout): Promise<Run> {
  const db = await server.database();
  const pgbouncer = layout.pgbouncer ? await startScratchPgBouncer([db.url]) : undefined;
  const services: Service[] = [];
  try {
    const env: Record<string, string> = {
      LOG_LEVEL: 'warn',
      CONVEYOR_LISTEN: String(layout.listen),
      CONVEYOR_DB_PREPARED_STATEMENTS: String(layout.listen),
      // Migrations hold a session advisory lock: straight to PostgreSQL, never through the pooler.
      ...(pgbouncer === undefined ? {} : { CONVEYOR_MIGRATION_DATABASE_URL: db.url }),
    };
    const url = pgbouncer?.through(db.url) ?? db.url;
    services.push(
      ...(await Promise.all(layout.roles.map((role) => startService(url, { ...env, CONVEYOR_ROLE: role })))),
    );
    const apis = services.filter((service) => service.key !== null);
    const roles = [...new Set(layout.roles)];
    const pidsOf = (role: ConveyorRole) =>
      services.filter((_, n) => layout.roles[n] === role).map((service) => service.pid);
    const cpu = () => ({
      service: cpuOf(services.map((service) => service.pid)),
      pgbouncer: cpuOf([pgbouncer?.pid]),
      postgres: cpuOf(server.embedded ? descendantsNamed('postgres') : []),
    });
    await submitLoad(apis, size.warmupSeconds, 'warm');
    await timeUntil(() => drained(db.client), 120);
    // Warm, and once the work the warm-up left behind (the statistics' compaction) is done: what an
    // instance costs with nothing to do.
    await sleep(size.idleSeconds * 1000);
    const idle = cpu();
    await sleep(size.idleSeconds * 1000);
    const idleCpuMsPerSecond =
      (1000 * cpuBetween(idle.service, cpu().service)) / size.idleSeconds / services.length;
    const before = { ...(await databaseCounters(db)), ...cpu() };
    const start = performance.now();
    const loads = await submitLoad(apis, size.seconds, 'measured');
    await timeUntil(() => drained(db.client), 120);
    const elapsed = (performance.now() - start) / 1000;
    // Backends report their commits to the statistics at most once a second, and the compaction of
    // the load's statistics runs every second: both belong to the jobs.
    await sleep(2000);
    const after = cpu();
    const counters = await databaseCounters(db);
    const jobs = await checked(db, loads, 'measured');
    const perJob = (total: number) => total / jobs;
    return {
      submitsPerSecond: loads.reduce((sum, load) => sum + (load.statuses[201] ?? 0), 0) / size.seconds,
      jobsPerSecond: jobs / elapsed,
      tailSeconds: Math.max(0, elapsed - size.seconds),
      submitP99Ms: Math.max(...loads.map((load) => load.latencyMs.p99)),
      jobs,
      serviceCpuUs: perJob(cpuBetween(before.service, after.service) * 1e6),
      serviceCpuUsByRole: Object.fromEntries(
        roles.map((role) => [role, perJob(cpuBetween(before.service, after.service, pidsOf(role)) * 1e6)]),
      ),
      pgbouncerCpuUs:
        pgbouncer === undefined ? null : perJob(cpuBetween(before.pgbouncer, after.pgbouncer) * 1e6),
      postgresCpuUs: server.embedded ? perJob(cpuBetween(before.postgres, after.postgres) * 1e6) : null,
      idleCpuMsPerSecond,
      walBytes: perJob(counters.walBytes - before.walBytes),
      commits: perJob(counters.commits - before.commits),
    };
  } finally {
    await Promise.all(services.map((service) => service.stop()));
    await pgbouncer?.stop();
    await db.drop();
  }
}

function micros(n: number | null): string {
  return n === null ? '–' : `${fmt(n)} µs`;
}

/** How a split layout's CPU per job divides among its roles; nothing for a layout of one role. */
function byRole(run: Run): string {
  const entries = Object.entries(run.serviceCpuUsByRole);
  return entries.length < 2 ? '' : ` (${entries.map(([role, us]) => `${role} ${fmt(us)}`).join(', ')})`;
}

const selected = values.only === undefined ? null : new Set(values.only.split(','));
const server = await openServer();
const layouts = LAYOUTS.filter((layout) => selected === null || selected.has(layout.id));
const samples = new Map<Layout, Run[]>(layouts.map((layout) => [layout, []]));
let failed = false;
try {
  // Round by round, every layout once a round: on a shared machine a slow minute then costs
  // every layout alike, instead of the one measured during it.
  for (let run = 0; run < runs && !failed; run += 1) {
    for (const layout of layouts) {
      process.stdout.write(`${layout.name}, ${route(layout)} (run ${run + 1}) ... `);
      try {
        const result = await measure(server, layout);
        samples.get(layout)?.push(result);
        console.log(
          `${fmt(result.jobsPerSecond)} jobs/s submitted and completed; ${result.jobs} jobs checked`,
        );
      } catch (error) {
        if (!(error instanceof CheckFailed)) throw error;
        failed = true;
        console.log(`CHECK FAILED: ${error.message}`);
        break;
      }
    }
  }
  // The median run by throughput stands for the layout; the runs stay in the order they ran.
  const results = layouts.flatMap((layout) => {
    const runsOf = samples.get(layout) ?? [];
    const median = [...runsOf].sort((a, b) => a.jobsPerSecond - b.jobsPerSecond)[
      Math.floor(runsOf.length / 2)
    ];
    return median === undefined ? [] : [{ layout, median, samples: runsOf }];
  });

  const at = new Date().toISOString();
  const pgbouncerVersion = execFileSync('pgbouncer', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  const report = {
    at,
    mode: quick ? 'quick (correctness only; figures not meaningful)' : 'full',
    runsPerLayout: runs,
    load: { ...size, connections: CONNECTIONS, job: 'noop, POST /v1/jobs, one per request' },
    machine: machine(),
    postgres: { embedded: server.embedded, ...server.settings },
    pgbouncer: pgbouncerVersion,
    results,
  };
  const lines = [
    `Conveyor scale benchmark, ${at} (${report.mode}), median of ${runs} run(s)`,
    `${setupLine(report.machine, server)}, ${String(pgbouncerVersion)}`,
    `Load: ${CONNECTIONS} connections shared by the API instances, POST /v1/jobs of no-op jobs for ${size.seconds} s ` +
      `(after ${size.warmupSeconds} s of warm-up); each instance's pool 10, PgBouncer's 20 per database and user.`,
    '',
    '| layout | connection | submits/s | submitted and completed, jobs/s | last completion after the load | submit p99 |',
    '|---|---|---|---|---|---|',
    ...results.map(
      ({ layout, median }) =>
        `| ${layout.name} | ${route(layout)} | ${fmt(median.submitsPerSecond)} | ${fmt(median.jobsPerSecond)} | ` +
        `${median.tailSeconds.toFixed(1)} s | ${median.submitP99Ms} ms |`,
    ),
    '',
    'What a job cost, in the same runs:',
    '',
    '| layout | connection | Conveyor CPU | PgBouncer CPU | PostgreSQL CPU | WAL | commits | an idle instance |',
    '|---|---|---|---|---|---|---|---|',
    ...results.map(
      ({ layout, median }) =>
        `| ${layout.name} | ${route(layout)} | ${fmt(median.serviceCpuUs)} µs${byRole(median)} | ${micros(median.pgbouncerCpuUs)} | ` +
        `${micros(median.postgresCpuUs)} | ${fmt(median.walBytes)} B | ${median.commits.toFixed(2)} | ` +
        `${median.idleCpuMsPerSecond.toFixed(1)} ms CPU/s |`,
    ),
  ];
  writeResults(`scale-${at.replace(/[:.]/g, '-')}`, report, `${lines.join('\n')}\n`);
} finally {
  await server.stop();
}
if (failed) process.exit(1);
