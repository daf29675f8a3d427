import type { ConveyorClient, JobWithHistory } from '@conveyor/client';
import { duration, json, shortId, timeOfDay, traceIdOf } from '../format';
import { usePoll } from '../poll';
import { href } from '../route';
import { useSession } from '../session';
import { type Move, MoveButton } from '../ui/move';
import { type Fact, Facts } from '../ui/facts';
import { NotLoaded, Stale } from '../ui/states';
import { StatusBadge } from '../ui/status';
import { Moment } from '../ui/time';
import { ErrorCell, Scrolling } from '../ui/table';

type Attempt = JobWithHistory['attemptHistory'][number];

export function JobPage({ id }: { id: string }) {
  const { client, caller } = useSession();
  const job = usePoll(() => client.getJob(id), `job ${id}`);

  if (job.data === undefined) {
    return (
      <NotLoaded
        what="job"
        polled={job}
        list={{ label: 'All jobs', href: href({ page: 'jobs', filter: {} }) }}
      >
        <p>
          No job has the id <code>{id}</code> in namespace <code>{caller.namespace}</code>. Finished jobs are
          deleted after their retention period.
        </p>
      </NotLoaded>
    );
  }
  const shown = job.data;
  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>
          {shown.type} <StatusBadge status={shown.status} />
        </h1>
        <Actions job={shown} onChanged={job.refresh} />
      </div>
      <p class="subtitle">
        <code>{shown.id}</code>
      </p>
      {job.error !== undefined && <Stale error={job.error} />}
      <div class="job-grid">
        <section aria-labelledby="summary" class="panel">
          <h2 id="summary">Summary</h2>
          <Summary job={shown} />
        </section>
        <section aria-labelledby="progress" class="panel">
          <h2 id="progress">Progress</h2>
          <Progress job={shown} />
        </section>
      </div>
      <section aria-labelledby="attempts" class="panel">
        <h2 id="attempts">Attempts</h2>
        <Timeline job={shown} />
      </section>
      {shown.lastError !== null && (
        <section aria-labelledby="last-error" class="panel">
          <h2 id="last-error">Last error</h2>
          <pre class="error-block">{shown.lastError}</pre>
        </section>
      )}
      <div class="job-grid">
        <section aria-labelledby="payload" class="panel">
          <h2 id="payload">Payload</h2>
          <pre class="json" tabIndex={0} aria-labelledby="payload">
            {json(shown.payload)}
          </pre>
        </section>
        <section aria-labelledby="result" class="panel">
          <h2 id="result">Result</h2>
          {shown.result === null ? (
            <p class="muted">{noResult(shown.status)}</p>
          ) : (
            <pre class="json" tabIndex={0} aria-labelledby="result">
              {json(shown.result)}
            </pre>
          )}
        </section>
      </div>
      <section aria-labelledby="transitions" class="panel">
        <h2 id="transitions">Transitions</h2>
        <Transitions job={shown} />
      </section>
    </>
  );
}

function noResult(status: JobWithHistory['status']): string {
  if (status === 'completed') return 'None: the handler returned nothing.';
  if (status === 'dead_letter' || status === 'cancelled') return 'None: the job did not complete.';
  return 'Not finished yet.';
}

/** What a key that may act can do to the job now: cancel it, retry it, or nothing (completed). */
function moveFor(job: JobWithHistory, client: ConveyorClient): Move | null {
  switch (job.status) {
    case 'waiting':
    case 'pending':
    case 'failed':
    case 'processing':
      return {
        label: 'Cancel job',
        question: 'Cancel this job?',
        destructive: true,
        explanation:
          job.status === 'processing'
            ? 'It is running: its worker is told to stop, and whatever it sends afterwards is refused.'
            : job.workflowId === null
              ? 'It will not run again unless it is retried.'
              : 'It will not run again unless it is retried, and the nodes of its workflow that depend on it are ' +
                'cancelled too (unless they run after a failure).',
        run: () => client.cancel(job.id),
        said: `Job ${job.type} cancelled.`,
      };
    case 'dead_letter':
    case 'cancelled':
      return {
        label: 'Retry job',
        question: 'Retry this job?',
        destructive: false,
        explanation:
          job.workflowId === null
            ? `It goes back to pending with a fresh budget of ${job.maxAttempts} attempts.`
            : `It starts again with a fresh budget of ${job.maxAttempts} attempts once the nodes it depends on ` +
              'have completed, and the nodes its failure cancelled wait for it again.',
        run: () => client.retry(job.id),
        said: job.workflowId === null ? `Job ${job.type} is pending again.` : `Job ${job.type} retried.`,
      };
    case 'completed':
      return null;
  }
}

function Actions({ job, onChanged }: { job: JobWithHistory; onChanged: () => void }) {
  const { client, permissions } = useSession();
  const move = moveFor(job, client);
  if (!permissions.act || move === null) return null;
  return (
    <div class="actions">
      <MoveButton move={move} onChanged={onChanged} />
    </div>
  );
}

function Summary({ job }: { job: JobWithHistory }) {
  const traceId = traceIdOf(job.traceparent);
  return (
    <Facts
      facts={[
        ['Queue', <a href={href({ page: 'jobs', filter: { queue: job.queue } })}>{job.queue}</a>],
        ...workflowFact(job),
        ['Attempts', `${job.attempts} of ${job.maxAttempts}`],
        ['Priority', job.priority],
        ['Run at', <Moment iso={job.runAt} />],
        ['Created', <Moment iso={job.createdAt} />],
        ['Updated', <Moment iso={job.updatedAt} />],
        ['Worker', job.workerId ?? '–'],
        ['Lease expires', job.leaseExpiresAt === null ? '–' : <Moment iso={job.leaseExpiresAt} />],
        ['Trace id', traceId === null ? '–' : <code>{traceId}</code>],
        ['Idempotency key', <code>{job.idempotencyKey}</code>],
        ['Concurrency key', job.concurrencyKey ?? '–'],
        ['Callback', job.callbackUrl ?? '–'],
      ]}
    />
  );
}

/** The workflow the job is a node of, linked, when it is one. */
function workflowFact(job: JobWithHistory): Fact[] {
  if (job.workflowId === null) return [];
  return [
    [
      'Workflow',
      <a href={href({ page: 'workflow', id: job.workflowId })}>
        node {job.workflowRef} of <code>{shortId(job.workflowId)}</code>
      </a>,
    ],
  ];
}

function Progress({ job }: { job: JobWithHistory }) {
  const progress = job.progress;
  if (progress === null) return <p class="muted">No progress reported.</p>;
  return (
    <>
      {progress.percent !== null && (
        <p class="progress-line">
          <progress max={100} value={progress.percent} aria-label="Progress" />
          <span>{progress.percent} %</span>
        </p>
      )}
      <p class="muted">
        Reported <Moment iso={progress.updatedAt} />
      </p>
      {progress.data !== null && <pre class="json">{json(progress.data)}</pre>}
    </>
  );
}

const OUTCOMES: Record<Attempt['outcome'], string> = {
  running: 'running',
  completed: 'completed',
  failed: 'failed, retry scheduled',
  dead_letter: 'failed, dead-lettered',
  lease_expired: 'lease expired',
  released: 'handed back',
  cancelled: 'cancelled',
};

/**
 * The attempts in order, each a bar on one time axis from the job's creation to its last moment
 * (now, while an attempt runs), so that waits between attempts (backoff) show as gaps.
 */
function Timeline({ job }: { job: JobWithHistory }) {
  const attempts = job.attemptHistory;
  if (attempts.length === 0) {
    return (
      <p class="muted">
        {job.status === 'cancelled' ? 'Cancelled before any attempt.' : 'Not started yet.'} Due{' '}
        <Moment iso={job.runAt} />.
      </p>
    );
  }
  const start = Date.parse(job.createdAt);
  const end = Math.max(
    start + 1,
    ...attempts.map((attempt) => (attempt.endedAt === null ? Date.now() : Date.parse(attempt.endedAt))),
  );
  const at = (time: number) => `${(((time - start) / (end - start)) * 100).toFixed(2)}%`;
  return (
    <ol class="timeline">
      {attempts.map((attempt) => {
        const began = Date.parse(attempt.startedAt);
        const ended = attempt.endedAt === null ? Date.now() : Date.parse(attempt.endedAt);
        return (
          <li key={attempt.attempt} class={`attempt outcome-${attempt.outcome}`}>
            <div class="attempt-head">
              <strong>Attempt {attempt.attempt}</strong>
              <span class={`badge outcome-${attempt.outcome}`}>{OUTCOMES[attempt.outcome]}</span>
              <span class="muted">
                {timeOfDay(attempt.startedAt)}
                {attempt.endedAt !== null && ` → ${timeOfDay(attempt.endedAt)}`}
                {attempt.durationMs !== null && ` (${duration(attempt.durationMs)})`}
                {attempt.workerId !== null && ` on ${attempt.workerId}`}
              </span>
            </div>
            <div class="track" aria-hidden="true">
              <span class="bar" style={{ left: at(began), width: `max(${at(ended)} - ${at(began)}, 3px)` }} />
            </div>
            {attempt.error !== null && <pre class="error-block">{attempt.error}</pre>}
          </li>
        );
      })}
    </ol>
  );
}

function Transitions({ job }: { job: JobWithHistory }) {
  return (
    <Scrolling label="Transitions table">
      <table>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col" class="number">
              Attempt
            </th>
            <th scope="col">Worker</th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {job.events.map((event, index) => (
            <tr key={index}>
              <td>
                <Moment iso={event.occurredAt} />
              </td>
              <td>{event.fromStatus === null ? '–' : <StatusBadge status={event.fromStatus} />}</td>
              <td>
                <StatusBadge status={event.toStatus} />
              </td>
              <td class="number">{event.attempt}</td>
              <td>{event.workerId ?? '–'}</td>
              <ErrorCell error={event.error} />
            </tr>
          ))}
        </tbody>
      </table>
    </Scrolling>
  );
}
