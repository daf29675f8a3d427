import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { trace } from '@opentelemetry/api';
import {
  ConveyorClient,
  type ConveyorClientOptions,
  ConveyorProblem,
  type JobContext,
  PermanentJobError,
  RestWorker,
  type WorkerOptions,
} from '#conveyor/client';
import { type Instance, listen, startInstance, TEST_ADMIN_KEY } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { installInMemoryTracing } from '../support/tracing.js';

// The client library (libs/client, docs/client.md) against the real service over real HTTP:
// submits that cannot make a second job, typed problems, and the REST worker with the semantics
// of an in-process handler, including a worker process killed in the middle of a job.

const tracing = installInMemoryTracing();
const REST_WORKER = fileURLToPath(new URL('../support/rest-worker-process.js', import.meta.url));
const CLIENT_PACKAGE = fileURLToPath(new URL('../../../libs/client', import.meta.url));
const run = promisify(execFile);

let db: TestDatabase;
let instance: Instance;
let baseUrl: string;
const workers: RestWorker[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  // No in-process handler claims these jobs: only the REST workers of the tests do.
  instance = await startInstance(db.url, {
    CONVEYOR_EXAMPLE_HANDLERS: 'false',
    CONVEYOR_REAPER_INTERVAL_MS: '250',
    CONVEYOR_RATE_LIMIT_SUBMIT: '0',
  });
  baseUrl = `http://127.0.0.1:${await listen(instance.app)}`;
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await Promise.all(workers.splice(0).map((worker) => worker.stop({ graceMs: 0 })));
});
afterAll(async () => {
  await instance.close();
  await db.drop();
  tracing.disable();
});

function client(options: Partial<ConveyorClientOptions> = {}): ConveyorClient {
  return new ConveyorClient({ baseUrl, apiKey: TEST_ADMIN_KEY, ...options });
}

function worker(
  options: Partial<WorkerOptions> & Pick<WorkerOptions, 'handlers'>,
  on = client(),
): RestWorker {
  const started = new RestWorker(on, { queue: 'client', pollIntervalMs: 25, ...options }).start();
  workers.push(started);
  return started;
}

async function jobRow(
  id: string,
): Promise<{ status: string; attempts: number; result: unknown; last_error: string | null }> {
  const { rows } = await db.client.query<{
    status: string;
    attempts: number;
    result: unknown;
    last_error: string | null;
  }>('SELECT status, attempts, result, last_error FROM jobs WHERE id = $1', [id]);
  return rows[0]!;
}

describe('the client', () => {
  it('sends a submit again when its answer is lost, and the key makes it one job', async () => {
    // Each submit reaches the service, then the connection drops before the answer arrives.
    const lost = new Set<string>();
    const flaky = client({
      fetch: async (request) => {
        const key = ((await request.clone().json()) as { idempotencyKey: string }).idempotencyKey;
        const response = await fetch(request);
        if (lost.has(key)) return response;
        lost.add(key);
        throw new TypeError('fetch failed');
      },
    });
    const submitted = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        flaky.submit({ type: 'client.lost', queue: 'lost', payload: { n } }),
      ),
    );
    expect(submitted.every(({ replayed }) => replayed)).toBe(true);
    const { rows } = await db.client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM jobs WHERE queue = 'lost'",
    );
    expect(rows[0]!.n).toBe(20);
    expect(new Set(submitted.map(({ job }) => job.id)).size).toBe(20);
  });

  it('waits out a rate limit (429 with Retry-After) and every submit gets through', async () => {
    const created = await client().api.POST('/v1/admin/api-keys', {
      body: { name: 'slow-submitter', namespace: 'default', scopes: ['jobs:submit'], submitPerSecond: 2 },
    });
    const limited = client({ apiKey: created.data!.key, retry: { attempts: 10 } });
    const started = Date.now();
    const submitted = await Promise.all(
      Array.from({ length: 6 }, (_, n) =>
        limited.submit({ type: 'client.limited', queue: 'limited', payload: { n } }),
      ),
    );
    expect(submitted.map(({ job }) => job.status)).toEqual(Array(6).fill('pending'));
    // Two a second: the last ones waited for tokens instead of failing.
    expect(Date.now() - started).toBeGreaterThan(1_000);
  });

  it('throws the service refusals as typed problem documents', async () => {
    const refusal = await client()
      .submit({ type: '', payload: {} })
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ConveyorProblem);
    const problem = refusal as ConveyorProblem;
    expect(problem.status).toBe(400);
    expect(problem.kind).toBe('validation-error');
    expect(problem.problem.errors?.map((error) => error.field)).toContain('type');

    const missing = await client()
      .getJob('00000000-0000-4000-8000-000000000000')
      .catch((error: unknown) => error);
    expect(missing).toMatchObject({ status: 404, kind: 'job-not-found' });
  });

  it('refuses a workflow whose dependencies form a cycle with a problem naming it', async () => {
    const node = (ref: string, dependsOn: string) => ({
      ref,
      type: 'client.step',
      payload: {},
      dependsOn: [dependsOn],
    });
    const refusal = await client()
      .submitWorkflow({ nodes: [node('a', 'b'), node('b', 'a')] })
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ConveyorProblem);
    const problem = refusal as ConveyorProblem;
    expect(problem).toMatchObject({ status: 400, kind: 'validation-error' });
    expect(problem.problem.errors?.find(({ field }) => field === 'nodes')?.messages.join(' ')).toContain(
      'cycle',
    );
  });

  it('reads its own key and the per-minute history', async () => {
    expect(await client().me()).toMatchObject({ namespace: 'default', scopes: ['admin'] });
    await client().submit({ type: 'client.history', queue: 'history', payload: {} });
    const history = await client().statsHistory(5);
    expect(history.minutes).toBe(5);
    expect(history.queues.find(({ queue }) => queue === 'history')?.points).toHaveLength(5);
  });

  it('packs with npm pack, and the package works in a project of its own', async () => {
    const project = await mkdtemp(join(tmpdir(), 'conveyor-client-user-'));
    try {
      const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', project], {
        cwd: CLIENT_PACKAGE,
      });
      const tarball = join(project, stdout.trim());
      await writeFile(join(project, 'package.json'), JSON.stringify({ type: 'module', private: true }));
      await run('npm', ['install', '--silent', '--no-audit', '--no-fund', '--prefer-offline', tarball], {
        cwd: project,
      });
      expect((await readdir(join(project, 'node_modules/@conveyor/client'))).sort()).toEqual(
        ['dist', 'openapi.json', 'package.json'].sort(),
      );
      const script = `
        import { ConveyorClient } from '@conveyor/client';
        const client = new ConveyorClient({ baseUrl: process.env.URL, apiKey: process.env.KEY });
        const { job } = await client.submit({ type: 'client.packed', queue: 'packed', payload: { from: 'a user' } });
        console.log(job.id);`;
      await writeFile(join(project, 'submit.mjs'), script);
      const submitted = await run(process.execPath, ['submit.mjs'], {
        cwd: project,
        env: { ...process.env, URL: baseUrl, KEY: TEST_ADMIN_KEY },
      });
      expect(await client().getJob(submitted.stdout.trim())).toMatchObject({ payload: { from: 'a user' } });
    } finally {
      await rm(project, { recursive: true, force: true });
      await rm(join(CLIENT_PACKAGE, 'dist'), { recursive: true, force: true });
    }
  }, 120_000);
});

describe('the REST worker', () => {
  it('runs jobs up to its concurrency, completes each once, and acknowledges them in batches', async () => {
    const requests: string[] = [];
    const counting = client({
      fetch: (request) => {
        requests.push(`${request.method} ${new URL(request.url).pathname}`);
        return fetch(request);
      },
    });
    let running = 0;
    let most = 0;
    worker(
      {
        concurrency: 5,
        handlers: {
          'client.echo': async (payload: { n: number }) => {
            running += 1;
            most = Math.max(most, running);
            await new Promise((resolve) => setTimeout(resolve, 30));
            running -= 1;
            return { doubled: payload.n * 2 };
          },
        },
      },
      counting,
    );
    const jobs = await Promise.all(
      Array.from({ length: 30 }, (_, n) =>
        client().submit({ type: 'client.echo', queue: 'client', payload: { n } }),
      ),
    );
    for (const { job } of jobs) {
      const done = await client().getJob(job.id, { waitSeconds: 10 });
      expect(done).toMatchObject({
        status: 'completed',
        attempts: 1,
        result: { doubled: (job.payload['n'] as number) * 2 },
      });
    }
    expect(most).toBe(5);
    const acks = requests.filter((request) => request === 'POST /v1/jobs/ack').length;
    expect(acks).toBeGreaterThan(0);
    expect(acks).toBeLessThan(30);
  });

  it('retries a failed attempt, and dead-letters a permanent failure at once', async () => {
    const tries = new Map<string, number>();
    worker({
      handlers: {
        'client.flaky': (_payload: unknown, { job }: JobContext) => {
          const n = (tries.get(job.id) ?? 0) + 1;
          tries.set(job.id, n);
          if (n === 1) throw new Error('the first attempt fails');
          return { tries: n };
        },
        'client.doomed': () => {
          throw new PermanentJobError('this invoice does not exist');
        },
      },
    });
    const backoff = { type: 'fixed' as const, delayMs: 10 };
    const { job: flaky } = await client().submit({
      type: 'client.flaky',
      queue: 'client',
      payload: {},
      backoff,
    });
    const { job: doomed } = await client().submit({
      type: 'client.doomed',
      queue: 'client',
      payload: {},
      maxAttempts: 5,
    });
    expect(await client().getJob(flaky.id, { waitSeconds: 10 })).toMatchObject({
      status: 'completed',
      attempts: 2,
      result: { tries: 2 },
    });
    expect(await client().getJob(doomed.id, { waitSeconds: 10 })).toMatchObject({
      status: 'dead_letter',
      attempts: 1,
      lastError: 'this invoice does not exist',
    });
  });

  it('keeps a job longer than its lease with heartbeats: no second worker gets it', async () => {
    const starts: string[] = [];
    const handlers = {
      'client.long': async (_payload: unknown, { job }: JobContext) => {
        starts.push(job.id);
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        return { held: true };
      },
    };
    worker({ leaseSeconds: 1, handlers });
    worker({ leaseSeconds: 1, handlers });
    const { job } = await client().submit({ type: 'client.long', queue: 'client', payload: {} });
    expect(await client().getJob(job.id, { waitSeconds: 10 })).toMatchObject({
      status: 'completed',
      attempts: 1,
    });
    expect(starts).toEqual([job.id]);
  });

  it('aborts the handler of a job cancelled while it runs, and sends no outcome for it', async () => {
    const errors: unknown[] = [];
    let abortedBy: unknown;
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    worker({
      leaseSeconds: 3,
      onError: (error) => errors.push(error),
      handlers: {
        'client.cancellable': async (_payload: unknown, { signal }: JobContext) => {
          started();
          await new Promise((resolve) => {
            signal.addEventListener('abort', resolve);
          });
          abortedBy = signal.reason;
          return { finished: 'after the cancel' };
        },
      },
    });
    const { job } = await client().submit({ type: 'client.cancellable', queue: 'client', payload: {} });
    await running;
    expect(await client().cancel(job.id)).toMatchObject({ status: 'cancelled' });
    // The worker learns it at its next heartbeat (every leaseSeconds / 3).
    await eventually(() => {
      expect(abortedBy).toMatchObject({ status: 409, kind: 'lease-lost' });
    }, 5_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await jobRow(job.id)).toMatchObject({ status: 'cancelled', result: null });
    expect(errors).toEqual([]);
  });

  it('hands unfinished jobs back when stopped: pending again, the attempt not counted', async () => {
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (started = resolve));
    const stopping = worker({
      handlers: {
        'client.slow': async (_payload: unknown, { signal }: JobContext) => {
          started();
          await new Promise((resolve) => {
            signal.addEventListener('abort', resolve);
          });
        },
      },
    });
    const { job } = await client().submit({ type: 'client.slow', queue: 'client', payload: {} });
    await running;
    expect(await jobRow(job.id)).toMatchObject({ status: 'processing', attempts: 1 });
    await stopping.stop({ graceMs: 100 });
    expect(await jobRow(job.id)).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it("continues the submit's trace in the handler", async () => {
    let handlerTraceId: string | undefined;
    worker({
      handlers: {
        'client.traced': () => {
          handlerTraceId = trace.getActiveSpan()?.spanContext().traceId;
          return null;
        },
      },
    });
    const { job } = await client().submit({ type: 'client.traced', queue: 'client', payload: {} });
    await client().getJob(job.id, { waitSeconds: 10 });
    // The submit's command span is the job's traceparent (00-<trace id>-<span id>-<flags>).
    const [, traceId, submitSpanId] = job.traceparent!.split('-');
    const submit = tracing.exporter
      .getFinishedSpans()
      .find((span) => span.spanContext().spanId === submitSpanId);
    expect(submit?.name).toBe('command SubmitJob');
    expect(handlerTraceId).toBe(traceId);
    const execution = await eventually(() => {
      const span = tracing.exporter
        .getFinishedSpans()
        .find((candidate) => candidate.name === 'job client.traced');
      expect(span).toBeDefined();
      return span!;
    });
    expect(execution.spanContext().traceId).toBe(traceId);
    expect(execution.parentSpanContext?.spanId).toBe(submitSpanId);
    expect(execution.attributes).toMatchObject({ 'conveyor.job.id': job.id, 'conveyor.job.attempt': 1 });
  });

  it("runs a workflow's nodes in order and hands each its parents' results", async () => {
    const seen = new Map<string, JobContext['parents']>();
    worker({
      handlers: {
        'client.step': (payload: { step: string }, { job, parents }: JobContext) => {
          seen.set(job.workflowRef!, parents);
          const inputs = Object.values(parents).map(({ result }) => (result as { made: string }).made);
          return { made: inputs.length === 0 ? payload.step : `${payload.step}(${inputs.sort().join(',')})` };
        },
      },
    });
    const node = (ref: string, dependsOn: string[] = []) => ({
      ref,
      type: 'client.step',
      queue: 'client',
      payload: { step: ref },
      dependsOn,
    });
    const body = {
      name: 'client-diamond',
      idempotencyKey: 'client-diamond',
      nodes: [node('a'), node('b', ['a']), node('c', ['a']), node('d', ['b', 'c'])],
    };
    const { workflow, replayed } = await client().submitWorkflow(body);
    expect(replayed).toBe(false);
    expect(workflow).toMatchObject({ name: 'client-diamond', nodeCount: 4 });

    const done = await eventually(async () => {
      const current = await client().getWorkflow(workflow.id);
      expect(current.status).toBe('completed');
      return current;
    }, 10_000);
    expect(done.counts).toMatchObject({ completed: 4, waiting: 0 });
    const jobIds = new Map(done.nodes.map((node) => [node.ref, node.jobId]));
    expect(done.nodes.find(({ ref }) => ref === 'd')?.dependsOn.sort()).toEqual(['b', 'c']);
    expect(await client().getJob(jobIds.get('d')!)).toMatchObject({ result: { made: 'd(b(a),c(a))' } });
    expect(seen.get('a')).toEqual({});
    expect(seen.get('d')).toEqual({
      b: { id: jobIds.get('b'), status: 'completed', result: { made: 'b(a)' } },
      c: { id: jobIds.get('c'), status: 'completed', result: { made: 'c(a)' } },
    });

    const again = await client().submitWorkflow(body);
    expect(again).toMatchObject({ replayed: true, workflow: { id: workflow.id, status: 'completed' } });
    const page = await client().listWorkflows({ limit: 100 });
    expect(page.items.find(({ id }) => id === workflow.id)).toMatchObject({ status: 'completed' });
  });

  it('a worker process killed mid-job: the job runs again on another worker once its lease is out', async () => {
    const child = spawn(process.execPath, [REST_WORKER], {
      env: { ...process.env, CONVEYOR_URL: baseUrl, CONVEYOR_KEY: TEST_ADMIN_KEY },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    const lines = createInterface({ input: child.stdout });
    const seen: string[] = [];
    lines.on('line', (line) => seen.push(line));
    await eventually(() => {
      expect(seen).toContain('ready');
    }, 10_000);
    const { job } = await client().submit({ type: 'client.hold', queue: 'client', payload: {} });
    await eventually(() => {
      expect(seen).toContain(`started ${job.id}`);
    }, 10_000);
    child.kill('SIGKILL');

    worker({ handlers: { 'client.hold': () => ({ finishedBy: 'the survivor' }) } });
    // The killed worker's lease (2 s) runs out; the survivor's claim takes the job over, or the
    // reaper fails the attempt first and the survivor claims the retry: one more attempt either way.
    const done = await client().getJob(job.id, { waitSeconds: 15 });
    expect(done).toMatchObject({ status: 'completed', attempts: 2, result: { finishedBy: 'the survivor' } });
    const path = done.events.map((event) => event.toStatus).join(' ');
    expect([
      'pending processing processing completed',
      'pending processing failed processing completed',
    ]).toContain(path);
  });
});
