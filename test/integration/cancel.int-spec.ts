import { CommandBus } from '@nestjs/cqrs';
import { CancelJobCommand, JobConflictError } from '#conveyor/jobs';
import type { Instance } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { instanceSuite, submitJob } from '../support/instance-suite.js';

// Cancelling running jobs (docs/queues.md) on real PostgreSQL: the in-process handler holding the
// job is told by NOTIFY, lets go of it, and nothing it wrote commits; a cancel racing a completion
// has exactly one winner, and the answer says which.

const suite = instanceSuite({ CONVEYOR_POLL_INTERVAL_MS: '50' });

const bus = (on: Instance) => on.app.get(CommandBus);
const submit = (on: Instance, payload: Record<string, unknown>) =>
  submitJob(on, { type: 'test.effect', payload });

async function row(id: string): Promise<{ status: string; effects: number }> {
  const { rows } = await suite.db.client.query<{ status: string; effects: number }>(
    `SELECT status, (SELECT count(*)::int FROM test_effects e WHERE e.job_id = j.id) AS effects
     FROM jobs j WHERE id = $1`,
    [id],
  );
  return rows[0]!;
}

describe('cancelling a running job', () => {
  it("aborts its handler on the instance holding it at once, and its transaction's writes never commit", async () => {
    const holder = await suite.start();
    const api = await suite.start({ CONVEYOR_ROLE: 'api' });
    // Writes its effect in its transaction, then waits (honouring its signal) for ten seconds.
    const { job } = await submit(holder, { holdMs: 10_000 });
    await eventually(async () => {
      expect(await row(job.id)).toEqual({ status: 'processing', effects: 0 });
    });
    const started = Date.now();
    const cancelled = await bus(api).execute(new CancelJobCommand('default', job.id));
    // The transaction held the row: the cancel went through only once the handler had let go.
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(cancelled).toMatchObject({ id: job.id, status: 'cancelled' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await row(job.id)).toEqual({ status: 'cancelled', effects: 0 });
  });

  it('has exactly one winner when it races the completion, and the answer says which', async () => {
    const pair = await Promise.all([suite.start(), suite.start()]);
    const [first] = pair;
    const jobs = await Promise.all(
      Array.from({ length: 40 }, (_, n) => submit(first, { n, holdMs: (n * 7) % 40 })),
    );
    const answers = await Promise.all(
      jobs.map(async ({ job }, n) => {
        await new Promise((resolve) => setTimeout(resolve, 20 + ((n * 13) % 60)));
        try {
          return await bus(pair[n % 2]!).execute(new CancelJobCommand('default', job.id));
        } catch (error) {
          if (error instanceof JobConflictError) return error;
          throw error;
        }
      }),
    );
    let cancels = 0;
    let completions = 0;
    for (const [n, answer] of answers.entries()) {
      const id = jobs[n]!.job.id;
      if (answer instanceof JobConflictError) {
        // The completion won: the job is completed, with its effect, and the answer says so.
        expect(answer.currentStatus).toBe('completed');
        await eventually(async () => {
          expect(await row(id)).toEqual({ status: 'completed', effects: 1 });
        });
        completions += 1;
      } else {
        expect(answer.status).toBe('cancelled');
        expect(await row(id)).toEqual({ status: 'cancelled', effects: 0 });
        cancels += 1;
      }
    }
    expect(cancels + completions).toBe(40);
    expect(cancels).toBeGreaterThan(0);
    expect(completions).toBeGreaterThan(0);
  });

  it('answers busy when the holder cannot hear it (LISTEN off) and its transaction outlasts the wait', async () => {
    const holder = await suite.start({ CONVEYOR_LISTEN: 'false' });
    const { job } = await submit(holder, { holdMs: 7_000 });
    await eventually(async () => {
      expect((await row(job.id)).status).toBe('processing');
    });
    await expect(bus(holder).execute(new CancelJobCommand('default', job.id))).rejects.toMatchObject({
      reason: 'busy',
      currentStatus: 'processing',
    });
    // Nothing changed: the handler goes on and completes.
    await eventually(async () => {
      expect(await row(job.id)).toEqual({ status: 'completed', effects: 1 });
    }, 10_000);
  });
});
