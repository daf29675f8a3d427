// `npm run bench`: every workload of issue #6 against real service processes and a real
// PostgreSQL (a throwaway embedded one, or DATABASE_URL's server), medians of several runs, and a
// pool × connections sweep. Writes bench/results/<time>.json and .md.
//
//   npm run bench                      full run (about 20 minutes, 10 of them the memory soak)
//   npm run bench -- --quick           CI: small sizes, one run each, checks correctness, not speed
//   npm run bench -- --only submit,drain --runs 5 --soak-seconds 60
import { parseArgs } from 'node:util';
import { type BenchServer, openServer } from './lib/database.js';
import type { LoadLatency } from './lib/load.js';
import { cancelToAbort, keyFairness, pauseToLastClaim, waiters } from './lib/flow-workloads.js';
import { dashboardLatency } from './lib/dashboard-workload.js';
import { CheckFailed, type Checked } from './lib/harness.js';
import { fmt, machine, setupLine, writeResults } from './lib/results.js';
import { fanIn, workflowDrain, workflowSubmit } from './lib/workflow-workloads.js';
import {
  drainInProcess,
  drainLimited,
  drainOverRest,
  memoryUnderLoad,
  statsLatency,
  submitBatches,
  submitDuplicates,
  submitToStart,
  submitUnique,
} from './lib/workloads.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    only: { type: 'string' },
    'soak-seconds': { type: 'string' },
  },
});
const quick = values.quick;
const runs = Number(values.runs ?? (quick ? 1 : 3));
const soakSeconds = Number(values['soak-seconds'] ?? (quick ? 10 : 600));
const size = quick
  ? {
      seconds: 2,
      warmupSeconds: 0.5,
      drain: 5_000,
      restDrain: 5_000,
      stats: 20_000,
      latencySeconds: 3,
      fanInRounds: 3,
      workflowWidth: 98,
      workflowSubmits: 10,
    }
  : {
      seconds: 10,
      warmupSeconds: 2,
      drain: 100_000,
      restDrain: 100_000,
      stats: 1_000_000,
      latencySeconds: 10,
      fanInRounds: 20,
      // 10 stages of 1 → 998 → 1: 10,000 nodes, the most one workflow may have.
      workflowWidth: 998,
      workflowSubmits: 50,
    };
/** Stages of the drained workflow. */
const WORKFLOW_STAGES = 10;

/** A workload as written below: how to run it, how to read its figure, and the target it is held to. */
interface WorkloadSpec<R extends Checked> {
  id: string;
  name: string;
  run: (server: BenchServer) => Promise<R>;
  figure: (r: R) => string;
  /** What the median run is chosen by. */
  value: (r: R) => number;
  target: string;
  met: (r: R) => boolean;
  /** Runs of it, when not --runs. */
  runs?: number;
}

/** One run of a workload: its result as recorded, and what the workload reads from it. */
interface Measured {
  result: Checked;
  figure: string;
  value: number;
  met: boolean;
}

/** A workload with its result type closed over, so that workloads of different results share a list. */
interface Workload {
  id: string;
  name: string;
  target: string;
  runs?: number;
  measure: (server: BenchServer) => Promise<Measured>;
}

function workload<R extends Checked>({ run, figure, value, met, ...described }: WorkloadSpec<R>): Workload {
  return {
    ...described,
    measure: async (server) => {
      const result = await run(server);
      return { result, figure: figure(result), value: value(result), met: met(result) };
    },
  };
}

/** name → how to run it, how to read its figure, and the target it is held to. */
const WORKLOADS: Workload[] = [
  workload({
    id: 'submit',
    name: 'POST /v1/jobs, unique keys, 50 connections, pool 10',
    run: (server) => submitUnique(server, size),
    figure: (r) => `${fmt(r.jobsPerSecond)} jobs/s, p99 ${r.latencyMs.p99} ms`,
    value: (r) => r.jobsPerSecond,
    target: '≥ 5,000 jobs/s, p99 ≤ 30 ms',
    met: (r) => r.jobsPerSecond >= 5000 && r.latencyMs.p99 <= 30,
  }),
  workload({
    id: 'duplicates',
    name: 'the same, each key sent twice concurrently',
    run: (server) => submitDuplicates(server, size),
    figure: (r) => `${fmt(r.keysPerSecond)} keys/s, p99 ${r.latencyMs.p99} ms`,
    value: (r) => r.keysPerSecond,
    target: '≥ 3,000 keys/s, one job per key',
    met: (r) => r.keysPerSecond >= 3000,
  }),
  workload({
    id: 'batch',
    name: 'POST /v1/jobs/batch, 1,000 jobs per call, 4 connections',
    run: (server) => submitBatches(server, size),
    figure: (r) => `${fmt(r.jobsPerSecond)} jobs/s, p99 ${r.latencyMs.p99} ms per call`,
    value: (r) => r.jobsPerSecond,
    target: '≥ 30,000 jobs/s',
    met: (r) => r.jobsPerSecond >= 30_000,
  }),
  workload({
    id: 'drain',
    name: `drain ${fmt(size.drain)} pre-inserted no-op jobs, in-process handlers`,
    run: (server) => drainInProcess(server, { jobs: size.drain }),
    figure: (r) => `${fmt(r.jobsPerSecond)} jobs/s`,
    value: (r) => r.jobsPerSecond,
    target: '≥ 6,000 jobs/s',
    met: (r) => r.jobsPerSecond >= 6000,
  }),
  workload({
    id: 'drain-limited',
    name: `the same under a global concurrency limit (at the handler's concurrency), against the same drain without`,
    run: (server) => drainLimited(server, { jobs: size.drain }),
    figure: (r) =>
      `${fmt(r.jobsPerSecond)} jobs/s, ${Math.round((100 * r.jobsPerSecond) / r.unlimitedJobsPerSecond)} % of ${fmt(r.unlimitedJobsPerSecond)}`,
    value: (r) => r.jobsPerSecond / r.unlimitedJobsPerSecond,
    target: '≥ 85 % of the unlimited drain',
    met: (r) => r.jobsPerSecond >= 0.85 * r.unlimitedJobsPerSecond,
  }),
  workload({
    id: 'keys',
    name: '1,000 concurrency keys, limit 1 per key, one hot key first in line with half the backlog',
    run: (server) => keyFairness(server),
    figure: (r) =>
      `first job per key: p50 ${r.firstStartMs.p50} ms, max ${r.firstStartMs.max} ms; ` +
      `at most ${r.mostRunningPerKey} running per key`,
    value: (r) => r.firstStartMs.max,
    target: "every key's first job ≤ 2 s; never over the key's limit",
    met: (r) => r.firstStartMs.max <= 2000 && r.mostRunningPerKey <= 1,
  }),
  workload({
    id: 'cancel',
    name: 'cancel of a running in-process job → its signal aborted',
    run: (server) => cancelToAbort(server, { cancels: quick ? 50 : 200 }),
    figure: (r) => `p50 ${r.abortMs.p50} ms, p99 ${r.abortMs.p99} ms`,
    value: (r) => r.abortMs.p99,
    target: 'p99 ≤ 100 ms',
    met: (r) => r.abortMs.p99 <= 100,
  }),
  workload({
    id: 'pause',
    name: 'pause of a queue drained by 2 instances → its last claim',
    run: (server) => pauseToLastClaim(server, { rounds: quick ? 5 : 30 }),
    figure: (r) =>
      `p50 ${r.lastClaimMs.p50} ms, p99 ${r.lastClaimMs.p99} ms (resume → first claim: p99 ${r.firstClaimMs.p99} ms)`,
    value: (r) => r.lastClaimMs.p99,
    target: 'p99 ≤ 100 ms',
    met: (r) => r.lastClaimMs.p99 <= 100,
  }),
  workload({
    id: 'waiters',
    name: '1,000 long polls (GET /v1/jobs/{id}?wait=60) on one instance, their jobs completed over REST at 1,000/s',
    run: (server) => waiters(server),
    figure: (r) => `woken p50 ${r.wokenMs.p50} ms, p99 ${r.wokenMs.p99} ms; memory +${r.rssGrowthMiB} MiB`,
    value: (r) => r.wokenMs.p99,
    target: 'p99 ≤ 50 ms after completion; ≤ 50 MB more memory',
    met: (r) => r.wokenMs.p99 <= 50 && r.rssGrowthMiB * 1.048576 <= 50,
  }),
  workload({
    id: 'rest-drain',
    name: `drain ${fmt(size.restDrain)} jobs over REST (8 workers, claim 100, batch ack)`,
    run: (server) => drainOverRest(server, { jobs: size.restDrain }),
    figure: (r) => `${fmt(r.jobsPerSecond)} jobs/s`,
    value: (r) => r.jobsPerSecond,
    target: '≥ 3,000 jobs/s',
    met: (r) => r.jobsPerSecond >= 3000,
  }),
  workload({
    id: 'latency',
    name: 'submit → in-process handler start, steady 200 jobs/s',
    run: (server) => submitToStart(server, { seconds: size.latencySeconds, warmupSeconds: 1 }),
    figure: (r) => `p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms`,
    value: (r) => r.latencyMs.p99,
    target: 'p50 ≤ 2 ms, p99 ≤ 10 ms',
    met: (r) => r.latencyMs.p50 <= 2 && r.latencyMs.p99 <= 10,
  }),
  workload({
    id: 'stats',
    name: `GET /v1/stats with ${fmt(size.stats)} jobs`,
    run: (server) => statsLatency(server, { jobs: size.stats }),
    figure: (r) => `p50 ${r.latencyMs.p50} ms, p95 ${r.latencyMs.p95} ms`,
    value: (r) => r.latencyMs.p95,
    target: '≤ 50 ms',
    met: (r) => r.latencyMs.p95 <= 50,
  }),
  workload({
    id: 'dashboard',
    name: `the dashboard's reads, each call on its own, with ${fmt(size.stats)} jobs`,
    run: (server) => dashboardLatency(server, { jobs: size.stats, requests: quick ? 10 : 50 }),
    figure: (r) =>
      `slowest p95 ${r.slowest.p95} ms (${r.slowest.call}); p95 ms: ` +
      Object.entries(r.latencyMs)
        .map(([call, latency]) => `${call} ${latency.p95}`)
        .join(', '),
    value: (r) => r.slowest.p95,
    target: 'p95 ≤ 100 ms, every call',
    met: (r) => r.slowest.p95 <= 100,
  }),
  workload({
    id: 'fan-in',
    name: '1,000 parents completing on 2 instances → their one child (in-process no-op handlers)',
    run: (server) => fanIn(server, { rounds: size.fanInRounds }),
    figure: (r) =>
      `child claimable p99 ${r.claimableMs.p99} ms, claimed p50 ${r.claimedMs.p50} ms, p99 ${r.claimedMs.p99} ms ` +
      `after the last parent's commit; 1,000 parents in ${r.parentsMs.p50} ms, completing transactions ` +
      `p99 ${r.completingMs.p99} ms (without the child: ${r.withoutChildMs.p50} ms, p99 ${r.completingWithoutChildMs.p99} ms)`,
    value: (r) => r.claimableMs.p99,
    target: 'child claimable ≤ 20 ms (p99) after the last parent completes',
    met: (r) => r.claimableMs.p99 <= 20,
  }),
  workload({
    id: 'workflow-drain',
    name:
      `a ${fmt(WORKFLOW_STAGES * (size.workflowWidth + 2))}-node workflow (1 → ${fmt(size.workflowWidth)} → 1, ` +
      `${WORKFLOW_STAGES} stages), in-process no-op handlers, against the plain drain of as many jobs`,
    run: (server) => workflowDrain(server, { stages: WORKFLOW_STAGES, width: size.workflowWidth }),
    figure: (r) =>
      `${fmt(r.jobsPerSecond)} jobs/s, ${Math.round((100 * r.jobsPerSecond) / r.plainJobsPerSecond)} % of ${fmt(r.plainJobsPerSecond)}`,
    value: (r) => r.jobsPerSecond / r.plainJobsPerSecond,
    target: '≥ 50 % of the plain in-process drain',
    met: (r) => r.jobsPerSecond >= 0.5 * r.plainJobsPerSecond,
  }),
  workload({
    id: 'workflow-submit',
    name: `POST /v1/workflows, 1,000 nodes (1 → 998 → 1), ${size.workflowSubmits} one after another`,
    run: (server) => workflowSubmit(server, { requests: size.workflowSubmits }),
    figure: (r) => `p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms (${r.bodyKiB} KiB a body)`,
    value: (r) => r.latencyMs.p99,
    target: '≤ 100 ms (p99)',
    met: (r) => r.latencyMs.p99 <= 100,
  }),
  workload({
    id: 'memory',
    name: `resident memory under the submit load, ${soakSeconds} s`,
    run: (server) => memoryUnderLoad(server, { seconds: soakSeconds }),
    figure: (r) =>
      `max ${r.rssMiB.max} MiB (first third ${r.rssMiB.firstThird}, last third ${r.rssMiB.lastThird})`,
    value: (r) => r.rssMiB.max,
    target: '≤ 300 MB, flat',
    met: (r) => r.rssMiB.max * 1.048576 <= 300 && r.rssMiB.lastThird <= r.rssMiB.firstThird * 1.2,
    runs: 1,
  }),
];

/** A workload's entry in the results: its median run, or, when its first run failed a check, none. */
type WorkloadResult = { id: string; name: string; target: string; samples: Checked[] } & (
  { failed: true } | { failed?: undefined; figure: string; met: boolean; median: Checked }
);

interface SweepCell {
  pool: number;
  connections: number;
  jobsPerSecond: number;
  latencyMs: LoadLatency;
}

const selected = values.only === undefined ? null : new Set(values.only.split(','));
const server = await openServer();
const results: WorkloadResult[] = [];
let failed = false;
try {
  for (const workload of WORKLOADS) {
    if (selected !== null && !selected.has(workload.id)) continue;
    const samples: Measured[] = [];
    for (let run = 0; run < (workload.runs ?? runs); run += 1) {
      process.stdout.write(`${workload.name} (run ${run + 1}) ... `);
      try {
        const measured = await workload.measure(server);
        samples.push(measured);
        console.log(`${measured.figure}; ${measured.result.checked}`);
      } catch (error) {
        if (!(error instanceof CheckFailed)) throw error;
        failed = true;
        console.log(`CHECK FAILED: ${error.message}`);
        break;
      }
    }
    // The median run by the workload's figure stands for the workload.
    const median = [...samples].sort((a, b) => a.value - b.value)[Math.floor(samples.length / 2)];
    if (median === undefined) {
      // No run: the first one failed its check.
      results.push({
        id: workload.id,
        name: workload.name,
        target: workload.target,
        failed: true,
        samples: [],
      });
      continue;
    }
    results.push({
      id: workload.id,
      name: workload.name,
      target: workload.target,
      figure: median.figure,
      met: median.met,
      median: median.result,
      samples: samples.map((sample) => sample.result),
    });
  }

  const sweep: SweepCell[] = [];
  if (!quick && (selected === null || selected.has('sweep'))) {
    for (const pool of [5, 10, 20]) {
      for (const connections of [10, 50, 200]) {
        process.stdout.write(`sweep: pool ${pool}, ${connections} connections ... `);
        const r = await submitUnique(server, { seconds: 5, warmupSeconds: 1, connections, pool });
        console.log(`${fmt(r.jobsPerSecond)} jobs/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms`);
        sweep.push({ pool, connections, jobsPerSecond: r.jobsPerSecond, latencyMs: r.latencyMs });
      }
    }
  }

  const at = new Date().toISOString();
  const report = {
    at,
    mode: quick ? 'quick (correctness only; figures not meaningful)' : 'full',
    runsPerWorkload: runs,
    machine: machine(),
    postgres: { embedded: server.embedded, ...server.settings },
    results,
    sweep,
  };
  const lines = [
    `Conveyor benchmark, ${at} (${report.mode}), median of ${runs} run(s)`,
    `${setupLine(report.machine, server)}, ` +
      `synchronous_commit=${server.settings.synchronous_commit}, shared_buffers=${server.settings.shared_buffers}`,
    '',
    '| workload | result | target | met |',
    '|---|---|---|---|',
    ...results.map((r) => {
      // A quick run checks correctness; its short, cold figures say nothing about the targets.
      const met = r.failed ? '✗' : quick ? 'n/a' : r.met ? '✓' : '✗';
      return `| ${r.name} | ${r.failed ? 'CHECK FAILED' : r.figure} | ${r.target} | ${met} |`;
    }),
  ];
  if (sweep.length > 0) {
    lines.push('', '| pool \\ connections | 10 | 50 | 200 |', '|---|---|---|---|');
    for (const pool of [5, 10, 20]) {
      const cells = sweep
        .filter((s) => s.pool === pool)
        .map((s) => `${fmt(s.jobsPerSecond)} jobs/s, p99 ${s.latencyMs.p99} ms`);
      lines.push(`| ${pool} | ${cells.join(' | ')} |`);
    }
  }
  writeResults(at.replace(/[:.]/g, '-'), report, `${lines.join('\n')}\n`);
} finally {
  await server.stop();
}
// Quick mode is CI's correctness gate; a full run also fails on a failed check, never on a figure.
if (failed) process.exit(1);
