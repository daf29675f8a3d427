import type { App } from 'supertest/types.js';
import { apiClient, type Instance, startInstance } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { captureLogs } from '../support/log-capture.js';
import { asRequest, installInMemoryTracing } from '../support/tracing.js';

const tracing = installInMemoryTracing();
const { exporter } = tracing;

const logs = captureLogs();

let db: TestDatabase;
let app: Instance;
beforeAll(async () => {
  db = await createTestDatabase();
  app = await startInstance(
    db.url,
    { LOG_LEVEL: 'info', CONVEYOR_POLL_INTERVAL_MS: '50' },
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

it('continues the submit trace in the in-process job execution', async () => {
  const { result, traceId } = await asRequest('POST /v1/jobs', () =>
    http()
      .post('/v1/jobs')
      .send({ type: 'noop', payload: { traced: 1 } })
      .expect(201),
  );
  const jobId = (result.body as { id: string }).id;
  const execution = await eventually(() => {
    const span = exporter.getFinishedSpans().find((candidate) => candidate.name === 'job noop');
    expect(span).toBeDefined();
    return span!;
  });
  const submit = exporter.getFinishedSpans().find((span) => span.name === 'command SubmitJob');
  expect(submit?.spanContext().traceId).toBe(traceId);
  expect(execution.spanContext().traceId).toBe(traceId);
  expect(execution.parentSpanContext?.spanId).toBe(submit?.spanContext().spanId);
  expect(execution.attributes).toMatchObject({ 'conveyor.job.id': jobId, 'conveyor.job.attempt': 1 });

  // Log lines written while the trace was active carry it.
  const traced = logs.records().filter((record) => record['trace_id'] === traceId);
  expect(traced.length).toBeGreaterThan(0);
});

it('hands REST workers the traceparent of the submit with the claim', async () => {
  const { traceId } = await asRequest('POST /v1/jobs', () =>
    http().post('/v1/jobs').send({ type: 'external.work', queue: 'rest', payload: {} }).expect(201),
  );
  const claim = await http().post('/v1/jobs/claim').send({ queue: 'rest' }).expect(200);
  const [job] = (claim.body as { jobs: { traceparent: string | null }[] }).jobs;
  expect(job?.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
});

it('puts every command and query on the buses in a span of its own', () => {
  const names = new Set(exporter.getFinishedSpans().map((span) => span.name));
  expect(names).toContain('command SubmitJob');
  expect(names).toContain('command ClaimJob');
  expect(names).toContain('command CompleteJob');
});

it('writes the trace id on the request line and on the lines of the job it submitted', async () => {
  const { result, traceId } = await asRequest('POST /v1/jobs', () =>
    http()
      .post('/v1/jobs')
      .send({ type: 'webhook', payload: { url: 'http://not-allowed.example/', body: {} } })
      .expect(201),
  );
  const jobId = (result.body as { id: string }).id;
  const jobLine = await eventually(() => {
    const line = logs.records().find((record) => record['jobId'] === jobId);
    expect(line).toBeDefined();
    return line!;
  });
  expect(jobLine['trace_id']).toBe(traceId);
  const requestLine = logs
    .records()
    .find(
      (record) =>
        (record['req'] as { url?: string } | undefined)?.url === '/v1/jobs' && record['trace_id'] === traceId,
    );
  expect(requestLine).toMatchObject({ res: { statusCode: 201 } });
});
