import { bodyCheck, validateBody } from '#conveyor/http';
import { AcknowledgeJobsBody, SubmitJobsBody } from './batch.body.js';
import { ClaimJobsBody } from './claim-jobs.body.js';
import { RedriveBody } from './dead-letter.params.js';
import { CompleteJobBody, FailJobBody, HeartbeatJobBody } from './lease.body.js';
import { SubmitJobBody } from './submit-job.body.js';

// The compiled body checks (see #conveyor/http compiled-check.ts) may only ever accept what the
// validation pipe accepts: a body they pass skips class-validator. Checked here against
// class-validator itself, run as the pipe runs it on bodies (validateBody), over the jobs API's own
// DTOs and a table of valid bodies and their mutations.

type Dto = new () => object;

/** The pipe's verdict on a body: bound as sent, unknown fields refused. */
async function pipeAccepts(dto: Dto, body: unknown): Promise<boolean> {
  return validateBody(dto, body).then(
    () => true,
    () => false,
  );
}

async function refusedByPipe(dto: Dto, bodies: unknown[]): Promise<unknown[]> {
  const verdicts = await Promise.all(bodies.map((body) => pipeAccepts(dto, body)));
  return bodies.filter((_body, index) => !verdicts[index]);
}

const UUID = '0b5e7a52-4a8e-4f0e-9a53-7e0a0a4d8f11';
const SAMPLES: unknown[] = [
  undefined,
  null,
  '',
  'x',
  'bad name!',
  'a'.repeat(256),
  'ctrl\u0001char',
  0,
  -1,
  1.5,
  100,
  40_000,
  true,
  {},
  [],
  [{}],
  [[]],
  ['a'],
  UUID,
  '2026-11-27T23:55:54.064Z',
  '2026-02-30T00:00:00Z',
  '2026-W01',
  '+9999-01-01T00:00:00Z',
  '9999-12-31T23:59:59-23:59',
  '1e2',
  'a\uFE0F'.repeat(200),
  '\u{1F600}'.repeat(200),
  { type: 'fixed' },
  { type: 'bogus' },
  { type: 'fixed', delayMs: -1 },
  [{ type: 'fixed' }],
];

const FULL_SUBMIT = {
  type: 'email.send',
  payload: { to: 'ada@example.com', nested: { list: [1, 'two'] } },
  queue: 'mail',
  priority: 5,
  runAt: '2026-11-27T23:55:54.064Z',
  maxAttempts: 3,
  backoff: { type: 'exponential', delayMs: 1000, maxDelayMs: 60_000 },
  idempotencyKey: 'welcome-ada',
  dedupeWindowSeconds: 3600,
};

/** The body with one field replaced by each sample (and one unknown field added). */
function mutations(body: Record<string, unknown>): unknown[] {
  return [
    body,
    { ...body, unknown: 1 },
    ...Object.keys(body).flatMap((field) => SAMPLES.map((sample) => ({ ...body, [field]: sample }))),
  ];
}

const CASES: { dto: Dto; valid: Record<string, unknown>[]; bodies: unknown[] }[] = [
  {
    dto: SubmitJobBody,
    valid: [FULL_SUBMIT, { type: 'noop', payload: {} }],
    bodies: [...mutations(FULL_SUBMIT), ...SAMPLES],
  },
  {
    dto: SubmitJobsBody,
    valid: [{ jobs: [FULL_SUBMIT, { type: 'noop', payload: {} }] }],
    bodies: [
      ...mutations(FULL_SUBMIT).map((job) => ({ jobs: [{ type: 'noop', payload: {} }, job] })),
      ...SAMPLES.map((jobs) => ({ jobs })),
      { jobs: Array.from({ length: 1001 }, () => ({ type: 'noop', payload: {} })) },
    ],
  },
  {
    dto: AcknowledgeJobsBody,
    valid: [
      {
        complete: [{ id: UUID, leaseToken: UUID, result: { ok: true } }],
        fail: [{ id: UUID, leaseToken: UUID, error: 'boom', retryable: false }],
      },
      {},
    ],
    bodies: [
      ...mutations({ id: UUID, leaseToken: UUID, result: { ok: true } }).map((item) => ({
        complete: [item],
      })),
      ...mutations({ id: UUID, leaseToken: UUID, error: 'boom', retryable: true }).map((item) => ({
        fail: [item],
      })),
      ...SAMPLES.map((complete) => ({ complete })),
    ],
  },
  {
    dto: ClaimJobsBody,
    valid: [{ queue: 'mail', types: ['email.send'], limit: 10, leaseSeconds: 30, workerId: 'w-1' }, {}],
    bodies: mutations({ queue: 'mail', types: ['email.send'], limit: 10, leaseSeconds: 30, workerId: 'w-1' }),
  },
  {
    dto: CompleteJobBody,
    valid: [{ leaseToken: UUID, result: { ok: true } }],
    bodies: mutations({ leaseToken: UUID, result: { ok: true } }),
  },
  {
    dto: FailJobBody,
    valid: [{ leaseToken: UUID, error: 'boom', retryable: false }],
    bodies: mutations({ leaseToken: UUID, error: 'boom', retryable: false }),
  },
  {
    dto: HeartbeatJobBody,
    valid: [{ leaseToken: UUID, leaseSeconds: 30 }],
    bodies: mutations({ leaseToken: UUID, leaseSeconds: 30 }),
  },
  {
    dto: RedriveBody,
    valid: [
      { queue: 'mail', type: 'email.send', error: 'timeout', minAgeSeconds: 60, maxAgeSeconds: 3600 },
      {},
    ],
    bodies: mutations({
      queue: 'mail',
      type: 'email.send',
      error: 'timeout',
      minAgeSeconds: 60,
      ids: [UUID],
    }),
  },
];

describe.each(CASES)('the compiled check of $dto.name', ({ dto, valid, bodies }) => {
  const check = bodyCheck(dto);

  it('compiles', () => {
    expect(check).not.toBeNull();
  });

  it('accepts valid bodies, as the pipe does', async () => {
    expect(await refusedByPipe(dto, valid)).toEqual([]);
    for (const body of valid) expect(check?.(body)).toBe(true);
  });

  it('accepts nothing the pipe refuses', async () => {
    const refused = await refusedByPipe(dto, bodies);
    expect(refused.filter((body) => check?.(body) === true)).toEqual([]);
    // The table does reach both verdicts.
    expect(refused.length).toBeGreaterThan(0);
  });
});

describe('bodies the compiled check leaves to the pipe', () => {
  it('a body that is not a plain object is not accepted', () => {
    const check = bodyCheck(SubmitJobBody);
    expect(check?.([{ type: 'noop', payload: {} }])).toBe(false);
    expect(check?.(null)).toBe(false);
    expect(
      check?.(Object.assign(Object.create({ inherited: 1 }) as object, { type: 'noop', payload: {} })),
    ).toBe(false);
  });
});
