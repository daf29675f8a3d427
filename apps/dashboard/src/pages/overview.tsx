import type { Stats, StatusHistory } from '@conveyor/client';
import type uPlot from 'uplot';
import { age, count, seconds } from '../format';
import { usePoll } from '../poll';
import { href } from '../route';
import { useSession } from '../session';
import { Chart, type ChartSeries } from '../ui/chart';
import { Empty, NotYet, Stale } from '../ui/states';
import { JOB_STATUSES, statusLabel } from '../ui/status';
import { QueueHeader, Scrolling } from '../ui/table';

type QueueStats = Stats['queues'][number];
type QueueHistory = StatusHistory['queues'][number];

const HISTORY_MINUTES = 60;

// Module constants: the chart is rebuilt when its series or format change, and only then.
// Drawn in this order: most minutes are zero for all three, and the last one drawn shows there.
const THROUGHPUT: ChartSeries[] = [
  { label: 'dead-lettered', colorVar: '--bad' },
  { label: 'failed (retried)', colorVar: '--warn' },
  { label: 'completed', colorVar: '--ok' },
];
const FAILURE_RATE: ChartSeries[] = [{ label: 'failure rate', colorVar: '--bad' }];
const perMinute = (value: number) => count(Math.round(value));
const percent = (value: number) => `${Math.round(value)} %`;
const JOB_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000];
const PERCENT_STEPS = [25, 50];

export function Overview() {
  const { client } = useSession();
  const stats = usePoll(() => client.stats(), 'stats');
  const history = usePoll(() => client.statsHistory(HISTORY_MINUTES), 'history');
  return (
    <>
      <h1 tabIndex={-1}>Overview</h1>
      {stats.data === undefined ? (
        <NotYet what="statistics" polled={stats} />
      ) : stats.data.queues.length === 0 ? (
        <Empty title="No jobs yet">
          <p>
            Queues appear here once a job is submitted to them (<code>POST /v1/jobs</code>, or{' '}
            <code>submit()</code> of the client).
          </p>
        </Empty>
      ) : (
        <>
          {stats.error !== undefined && <Stale error={stats.error} />}
          <CountsTable queues={stats.data.queues} />
          <Latency latency={stats.data.latency} />
          <h2>Last hour, per minute</h2>
          {history.data === undefined ? (
            <NotYet what="the last hour" polled={history} />
          ) : (
            <>
              {history.error !== undefined && <Stale error={history.error} />}
              {history.data.queues.map((queue) => (
                <QueueCharts key={queue.queue} history={queue} />
              ))}
            </>
          )}
        </>
      )}
    </>
  );
}

function CountsTable({ queues }: { queues: QueueStats[] }) {
  return (
    <Scrolling label="Jobs per queue and status">
      <table class="counts">
        <caption>Jobs per queue and status, now</caption>
        <thead>
          <tr>
            <th scope="col">Queue</th>
            {JOB_STATUSES.map((status) => (
              <th key={status} scope="col" class="number">
                {statusLabel(status)}
              </th>
            ))}
            <th scope="col" class="number">
              Oldest pending
            </th>
          </tr>
        </thead>
        <tbody>
          {queues.map((queue) => (
            <tr key={queue.queue}>
              <QueueHeader queue={queue.queue} />
              {JOB_STATUSES.map((status) => (
                <td key={status} class="number" data-status={status}>
                  {queue.counts[status] === 0 ? (
                    <span class="zero">0</span>
                  ) : (
                    <a href={href({ page: 'jobs', filter: { queue: queue.queue, status } })}>
                      {count(queue.counts[status])}
                    </a>
                  )}
                </td>
              ))}
              <td class="number">
                {queue.oldestPendingAgeSeconds === null ? '–' : age(queue.oldestPendingAgeSeconds)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Scrolling>
  );
}

function Latency({ latency }: { latency: Stats['latency'] }) {
  if (latency.waitSeconds === null || latency.runSeconds === null) return null;
  const { waitSeconds: wait, runSeconds: run } = latency;
  return (
    <p class="latency">
      Over the last {count(latency.sample)} completed jobs: waited <Percentiles of={wait} />, ran{' '}
      <Percentiles of={run} />.
    </p>
  );
}

function Percentiles({ of }: { of: { p50: number; p95: number; p99: number } }) {
  return (
    <span class="percentiles">
      {seconds(of.p50)} median, {seconds(of.p95)} p95, {seconds(of.p99)} p99
    </span>
  );
}

function QueueCharts({ history }: { history: QueueHistory }) {
  const headingId = `charts-${history.queue}`;
  return (
    <section class="panel queue-card" aria-labelledby={headingId}>
      <h3 id={headingId}>{history.queue}</h3>
      <HistoryCharts history={history} />
    </section>
  );
}

function HistoryCharts({ history }: { history: QueueHistory }) {
  const { points } = history;
  const minutes = points.map((point) => Date.parse(point.minute) / 1000);
  const completed = points.map((point) => point.completed);
  const failed = points.map((point) => point.failed);
  const deadLettered = points.map((point) => point.deadLettered);
  const rate = points.map((point) => {
    const finished = point.completed + point.failed + point.deadLettered;
    return finished === 0 ? null : ((point.failed + point.deadLettered) / finished) * 100;
  });
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  const totals = { completed: sum(completed), failed: sum(failed), deadLettered: sum(deadLettered) };
  const outcomes = totals.completed + totals.failed + totals.deadLettered;
  const hourRate = outcomes === 0 ? null : ((totals.failed + totals.deadLettered) / outcomes) * 100;
  return (
    <div class="chart-pair">
      <figure>
        <figcaption>Throughput, jobs per minute</figcaption>
        <Chart
          series={THROUGHPUT}
          data={[minutes, deadLettered, failed, completed] satisfies uPlot.AlignedData}
          format={perMinute}
          steps={JOB_STEPS}
        />
        <p class="chart-summary">
          Last hour: {count(totals.completed)} completed, {count(totals.failed)} failed and retried,{' '}
          {count(totals.deadLettered)} dead-lettered.
        </p>
      </figure>
      <figure>
        <figcaption>Failure rate, share of finished attempts that failed</figcaption>
        <Chart
          series={FAILURE_RATE}
          data={[minutes, rate]}
          format={percent}
          minMax={100}
          steps={PERCENT_STEPS}
          dots
        />
        <p class="chart-summary">
          {hourRate === null
            ? 'Last hour: no attempt finished.'
            : `Last hour: ${percent(hourRate)} of ${count(outcomes)} finished attempts failed.`}
        </p>
      </figure>
    </div>
  );
}
