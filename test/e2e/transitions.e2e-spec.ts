import type { App } from 'supertest/types.js';
import { apiClient, type Instance, startInstance } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { captureLogs } from '../support/log-capture.js';
import { asRequest, installInMemoryTracing } from '../support/tracing.js';

// One door (issue 13): every transition of a job is logged by the lifecycle, whoever made it (the
// REST API, the in-process worker, the reaper), at debug for the routine ones and warn for failures
// and dead letters, each line with the job's own trace id: with LOG_LEVEL=debug and tracing on, a
// job's whole life reads under the trace of the request that submitted it. Every write is a command,
// so every write has a span.
//
// The only instance of this file: with nestjs-pino, only the first instance's logs reach a capture.

const tracing = installInMemoryTracing();
const logs = captureLogs();

let db: TestDatabase;
let app: Instance;
beforeAll(async () => {
  db = await createTestDatabase();
  app = await startInstance(
    db.url,
    { LOG_LEVEL: 'debug', CONVEYOR_POLL_INTERVAL_MS: '50', CONVEYOR_REAPER_INTERVAL_MS: '100' },
    [],
    logs.destination,
  );
});
afterAll(async () => {
  await app.close();
  await db.drop();
  tracing.disable();
});

const http = () => apiClient(app.app.getHttpServer() as App);

/** The lifecycle's lines about one job, in order: [level, message]. */
function lifeOf(jobId: string): { level: number; msg: string; record: Record<string, unknown> }[] {
  return logs
    .records()
    .filter((record) => record['context'] === 'Lifecycle' && record['jobId'] === jobId)
    .map((record) => ({ level: record['level'] as number, msg: String(record['msg']), record }));
}

const DEBUG = 20;
const WARN = 40;

it('logs the whole life of an in-process job under the trace of its submit', async () => {
  const { result, traceId } = await asRequest('POST /v1/jobs', () =>
    http()
      .post('/v1/jobs')
      .send({ type: 'noop', payload: { life: 1 } })
      .expect(201),
  );
  const jobId = (result.body as { id: string }).id;
  const life = await eventually(() => {
    const lines = lifeOf(jobId);
    expect(lines.map((line) => line.msg)).toEqual(['job submitted', 'job claimed', 'job completed']);
    return lines;
  });
  for (const line of life) {
    expect(line.level).toBe(DEBUG);
    expect(line.record).toMatchObject({
      trace_id: traceId,
      jobType: 'noop',
      queue: 'default',
      namespace: 'default',
    });
  }
  expect(life[1]!.record).toMatchObject({ attempt: 1, workerId: expect.any(String) as unknown });
  expect(life[2]!.record).toMatchObject({ status: 'completed', durationMs: expect.any(Number) as unknown });
});

it('logs a REST worker\u2019s failures and the dead letter at warn, with the error', async () => {
  const { result, traceId } = await asRequest('POST /v1/jobs', () =>
    http()
      .post('/v1/jobs')
      .send({
        type: 'external',
        queue: 'rest',
        payload: {},
        maxAttempts: 2,
        backoff: { type: 'fixed', delayMs: 0 },
      })
      .expect(201),
  );
  const jobId = (result.body as { id: string }).id;
  for (let attempt = 1; attempt <= 2; attempt += 1) {
    const claim = await eventually(async () => {
      const response = await http().post('/v1/jobs/claim').send({ queue: 'rest' }).expect(200);
      const [job] = (response.body as { jobs: { id: string; leaseToken: string }[] }).jobs;
      expect(job?.id).toBe(jobId);
      return job!;
    });
    await http()
      .post(`/v1/jobs/${jobId}/fail`)
      .send({ leaseToken: claim.leaseToken, error: `boom ${attempt}` })
      .expect(200);
  }
  const warnings = lifeOf(jobId).filter((line) => line.level === WARN);
  expect(warnings.map((line) => [line.msg, line.record['error']])).toEqual([
    ['attempt failed; retry scheduled', 'boom 1'],
    ['job dead-lettered', 'boom 2'],
  ]);
  for (const line of warnings) expect(line.record['trace_id']).toBe(traceId);
});

it('logs what the reaper does to a job under the job\u2019s trace, not the reaper\u2019s', async () => {
  const { result, traceId } = await asRequest('POST /v1/jobs', () =>
    http().post('/v1/jobs').send({ type: 'external', queue: 'abandoned', payload: {} }).expect(201),
  );
  const jobId = (result.body as { id: string }).id;
  await http().post('/v1/jobs/claim').send({ queue: 'abandoned', leaseSeconds: 1 }).expect(200);
  const reaped = await eventually(() => {
    const line = lifeOf(jobId).find((candidate) => candidate.msg === 'lease expired; retry scheduled');
    expect(line).toBeDefined();
    return line!;
  }, 10_000);
  expect(reaped.level).toBe(WARN);
  expect(reaped.record['trace_id']).toBe(traceId);
});

it('logs the workflow nodes the database moved with their dependency, under each node\u2019s trace', async () => {
  const node = (ref: string, dependsOn: string[] = []) => ({
    ref,
    type: 'external',
    queue: 'dag',
    payload: {},
    maxAttempts: 1,
    dependsOn,
  });
  const { result, traceId } = await asRequest('POST /v1/workflows', () =>
    http()
      .post('/v1/workflows')
      .send({ nodes: [node('a'), node('b', ['a']), node('c', ['b'])] })
      .expect(201),
  );
  const nodes = (result.body as { nodes: { jobId: string; ref: string }[] }).nodes;
  const idOf = (ref: string) => nodes.find((candidate) => candidate.ref === ref)!.jobId;
  // a completes: b is released; b fails for good: c is cancelled with it.
  for (const [ref, settle] of [
    ['a', 'complete'],
    ['b', 'fail'],
  ] as const) {
    const claimed = await eventually(async () => {
      const response = await http().post('/v1/jobs/claim').send({ queue: 'dag' }).expect(200);
      const [job] = (response.body as { jobs: { id: string; leaseToken: string }[] }).jobs;
      expect(job?.id).toBe(idOf(ref));
      return job!;
    });
    await http()
      .post(`/v1/jobs/${claimed.id}/${settle}`)
      .send({ leaseToken: claimed.leaseToken, ...(settle === 'fail' ? { error: 'no' } : {}) })
      .expect(200);
  }
  const moved = (ref: string, msg: string) =>
    eventually(() => {
      const line = lifeOf(idOf(ref)).find((candidate) => candidate.msg === msg);
      expect(line).toBeDefined();
      return line!;
    });
  const released = await moved('b', 'workflow node released: the jobs it depends on are done');
  const cancelled = await moved('c', 'workflow node cancelled: a job it depends on failed or was cancelled');
  expect(released.record).toMatchObject({ status: 'pending', fromStatus: 'waiting', trace_id: traceId });
  expect(cancelled.record).toMatchObject({ status: 'cancelled', fromStatus: 'waiting', trace_id: traceId });
  for (const line of [released, cancelled]) expect(line.level).toBe(DEBUG);
});

it('gives every write a span, the worker\u2019s and the reaper\u2019s included', async () => {
  await eventually(() => {
    const names = new Set(tracing.exporter.getFinishedSpans().map((span) => span.name));
    for (const name of [
      'command SubmitJob',
      'command ClaimJob',
      'command CompleteJob',
      'command FailJob',
      'command ReapExpiredLeases',
      'command CompactJobStats',
    ]) {
      expect(names).toContain(name);
    }
  });
});
