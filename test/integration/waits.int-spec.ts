import { QueryBus } from '@nestjs/cqrs';
import { GetJobQuery, JobNotFoundError, TooManyWaitersError } from '#conveyor/jobs';
import { eventually } from '../support/eventually.js';
import { instanceSuite, submitJob } from '../support/instance-suite.js';

// Waiting for a result (docs/queues.md) across instances: the wait is held by an API instance, the
// job runs on a worker instance, and the NOTIFY of its completion wakes the wait.

const suite = instanceSuite({ CONVEYOR_POLL_INTERVAL_MS: '50' });

describe('a client waiting for a result', () => {
  it('is answered by its instance when the job completes on another one', async () => {
    // The API instance runs no handler: the worker instance does.
    const [api] = await Promise.all([suite.start({ CONVEYOR_ROLE: 'api' }), suite.start()]);
    const { job } = await submitJob(api, { type: 'test.effect', payload: { holdMs: 400 } });
    const started = Date.now();
    const finished = await api.app.get(QueryBus).execute(new GetJobQuery('default', job.id, 10));
    expect(finished).toMatchObject({ status: 'completed', result: { pid: process.pid } });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('is held to the instance limit on waits (CONVEYOR_MAX_WAITERS)', async () => {
    const api = await suite.start({ CONVEYOR_ROLE: 'api', CONVEYOR_MAX_WAITERS: '2' });
    const jobs = await Promise.all(
      Array.from({ length: 3 }, (_, n) => submitJob(api, { type: 'nobody.runs.this', payload: { n } })),
    );
    const queries = api.app.get(QueryBus);
    const waits = jobs.map(({ job }) =>
      queries.execute(new GetJobQuery('default', job.id, 2)).then(
        (answer) => answer.status,
        (error: unknown) => error,
      ),
    );
    const answers = await Promise.all(waits);
    expect(answers.filter((answer) => answer === 'pending')).toHaveLength(2);
    expect(answers.filter((answer) => answer instanceof TooManyWaitersError)).toHaveLength(1);
    // The waits are over and cleared up (together, a moment later): nothing left behind.
    await eventually(async () => {
      const { rows } = await suite.db.client.query<{ n: number }>('SELECT count(*)::int AS n FROM job_waits');
      expect(rows[0]!.n).toBe(0);
    }, 2_000);
  });

  it('each of many reads arriving together gets its own job, and only from its own namespace', async () => {
    // Reads that arrive together share one statement (the waiters a completion wakes): each must
    // still be answered with its job, and a job of another namespace stays not found.
    const api = await suite.start({ CONVEYOR_ROLE: 'api' });
    const submitted = await Promise.all(
      Array.from({ length: 40 }, (_, n) =>
        submitJob(api, {
          type: 'nobody.runs.this',
          payload: { n },
          namespace: n % 2 === 0 ? 'default' : 'other',
        }),
      ),
    );
    const queries = api.app.get(QueryBus);
    const answers = await Promise.all(
      submitted.flatMap(({ job }, n) => [
        queries.execute(new GetJobQuery(job.namespace, job.id, 0)),
        queries
          .execute(new GetJobQuery(n % 2 === 0 ? 'other' : 'default', job.id, 0))
          .catch((error: unknown) => error),
      ]),
    );
    submitted.forEach(({ job }, n) => {
      expect(answers[2 * n]).toMatchObject({ id: job.id, payload: { n }, status: 'pending' });
      expect(answers[2 * n + 1]).toBeInstanceOf(JobNotFoundError);
    });
  });
});
