import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ClaimJobCommand, ListQueuesQuery, PauseQueueCommand } from '#conveyor/jobs';
import type { Instance } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { instanceSuite, submitJob } from '../support/instance-suite.js';

// Pausing a queue (docs/queues.md) on real PostgreSQL, with several instances running its handler.

// Polling every 30 s: only LISTEN/NOTIFY or the claim statement itself can explain what happens.
const suite = instanceSuite({ CONVEYOR_POLL_INTERVAL_MS: '30000' });

function cluster(size: number): Promise<Instance[]> {
  return Promise.all(Array.from({ length: size }, () => suite.start()));
}

const bus = (instance: Instance) => instance.app.get(CommandBus);

function submit(
  instance: Instance,
  type: string,
  payload: Record<string, unknown> = {},
  queue: string | null = null,
) {
  return submitJob(instance, { type, payload, queue });
}

async function statuses(ids: string[]): Promise<string[]> {
  const { rows } = await suite.db.client.query<{ status: string }>(
    'SELECT status FROM jobs WHERE id = ANY ($1::uuid[]) ORDER BY id',
    [ids],
  );
  return rows.map((row) => row.status);
}

const pause = (instance: Instance, queue: string, type: string | null = null) =>
  bus(instance).execute(new PauseQueueCommand('default', queue, type, true));
const resume = (instance: Instance, queue: string, type: string | null = null) =>
  bus(instance).execute(new PauseQueueCommand('default', queue, type, false));

describe('a paused queue', () => {
  it('accepts submits that no instance claims, lets running jobs finish, and resumes on every instance at once', async () => {
    const [first, second, third] = await cluster(3);
    const running = await submit(first!, 'test.effect', { holdMs: 800 });
    await eventually(async () => {
      expect(await statuses([running.job.id])).toEqual(['processing']);
    });
    await pause(second!, 'default');

    // More than one instance's 20 slots, each held a while: all three instances must take some.
    const waiting = await Promise.all(
      Array.from({ length: 60 }, (_, n) => submit(third!, 'test.effect', { n, holdMs: 500 })),
    );
    expect(waiting.every((result) => result.created)).toBe(true);
    // The running job finishes; nothing new starts on any of the three, however long we wait.
    await eventually(async () => {
      expect(await statuses([running.job.id])).toEqual(['completed']);
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const ids = waiting.map((result) => result.job.id);
    expect(new Set(await statuses(ids))).toEqual(new Set(['pending']));

    // Resumed: the wake-up reaches every instance, well before their 30 s poll.
    const resumedAt = Date.now();
    await resume(first!, 'default');
    await eventually(async () => {
      expect(new Set(await statuses(ids))).toEqual(new Set(['completed']));
    }, 5_000);
    expect(Date.now() - resumedAt).toBeLessThan(5_000);
    const { rows } = await suite.db.client.query<{ workers: number }>(
      'SELECT count(DISTINCT worker_id)::int AS workers FROM jobs WHERE id = ANY ($1::uuid[])',
      [ids],
    );
    expect(rows[0]!.workers).toBe(3);
  });

  it('holds for REST workers too, and a paused type leaves the other types of its queue running', async () => {
    const [instance] = await cluster(1);
    await pause(instance!, 'mixed', 'rest.paused');
    const paused = await submit(instance!, 'rest.paused', {}, 'mixed');
    const other = await submit(instance!, 'rest.other', {}, 'mixed');
    const claim = () =>
      bus(instance!).execute(
        new ClaimJobCommand({
          namespace: 'default',
          queue: 'mixed',
          types: null,
          limit: 10,
          leaseSeconds: 30,
          workerId: 'rest',
        }),
      );
    expect((await claim()).map((job) => job.id)).toEqual([other.job.id]);
    expect(await claim()).toEqual([]);

    // The whole queue paused on top: still nothing; the type resumed alone: still nothing.
    await pause(instance!, 'mixed');
    await resume(instance!, 'mixed', 'rest.paused');
    expect(await claim()).toEqual([]);
    await resume(instance!, 'mixed');
    expect((await claim()).map((job) => job.id)).toEqual([paused.job.id]);
  });

  it('is listed with its state and counts', async () => {
    const [instance] = await cluster(1);
    await pause(instance!, 'listed');
    await pause(instance!, 'listed', 'only.this');
    await submit(instance!, 'anything', {}, 'listed');
    const { queues } = await instance!.app.get(QueryBus).execute(new ListQueuesQuery('default'));
    expect(queues.find((queue) => queue.queue === 'listed')).toEqual({
      queue: 'listed',
      paused: true,
      pausedTypes: ['only.this'],
      concurrencyLimit: null,
      keyConcurrencyLimit: null,
      rateLimit: null,
      typeLimits: [],
      counts: {
        waiting: 0,
        pending: 1,
        processing: 0,
        completed: 0,
        failed: 0,
        dead_letter: 0,
        cancelled: 0,
      },
      oldestPendingAgeSeconds: expect.any(Number) as unknown,
    });
    const other = await instance!.app.get(QueryBus).execute(new ListQueuesQuery('elsewhere'));
    expect(other.queues).toEqual([]);
  });
});
