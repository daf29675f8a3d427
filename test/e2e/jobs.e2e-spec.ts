import request from 'supertest';
import { apiClient, startTestApp, type TestApp } from '../support/app.js';
import { expectProblem } from '../support/problem.js';

let t: TestApp;
beforeAll(async () => {
  // API only: no in-process worker or reaper racing the tests' own claims.
  t = await startTestApp({ CONVEYOR_ROLE: 'api' });
});
afterAll(async () => {
  await t.close();
});

const api = () => apiClient(t.server);

async function jobCount(): Promise<number> {
  const { rows } = await t.db.client.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs');
  return rows[0]!.n;
}

interface ClaimedJob {
  id: string;
  leaseToken: string;
  attempts: number;
  status: string;
}

async function submitAndClaim(
  queue: string,
  extra: Record<string, unknown> = {},
  client = api(),
): Promise<ClaimedJob> {
  await client
    .post('/v1/jobs')
    .send({ type: 'e2e.job', queue, payload: { queue }, ...extra })
    .expect(201);
  const claim = await client.post('/v1/jobs/claim').send({ queue, workerId: 'e2e-worker' }).expect(200);
  const jobs = (claim.body as { jobs: ClaimedJob[] }).jobs;
  expect(jobs).toHaveLength(1);
  return jobs[0]!;
}

describe('GET /health/ready', () => {
  it('answers 200 once migrations have run', async () => {
    const ready = await api().get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({ status: 'ok', details: { migrations: { status: 'up' } } });
  });
});

describe('POST /v1/jobs', () => {
  it('creates a job (201) with every documented field', async () => {
    const response = await api()
      .post('/v1/jobs')
      .send({
        type: 'email.send',
        queue: 'mail',
        payload: { to: 'a@example.com' },
        priority: 3,
        maxAttempts: 4,
      })
      .expect(201);
    expect(response.body).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
      type: 'email.send',
      queue: 'mail',
      status: 'pending',
      payload: { to: 'a@example.com' },
      priority: 3,
      attempts: 0,
      maxAttempts: 4,
      idempotencyKey: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
      lastError: null,
      result: null,
    });
    for (const field of ['runAt', 'createdAt', 'updatedAt']) {
      expect(new Date((response.body as Record<string, string>)[field]!).getTime()).not.toBeNaN();
    }
    expect(response.headers['idempotent-replayed']).toBeUndefined();
  });

  it('replays the original job (200, Idempotent-Replayed) for the same key in the body or the header', async () => {
    const body = { type: 'report.build', payload: { month: '2026-11' } };
    const first = await api()
      .post('/v1/jobs')
      .set('Idempotency-Key', 'report-2026-11')
      .send(body)
      .expect(201);
    const again = await api()
      .post('/v1/jobs')
      .send({ ...body, idempotencyKey: 'report-2026-11' })
      .expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((again.body as { id: string }).id).toBe((first.body as { id: string }).id);
  });

  it('replays whatever the original job became', async () => {
    const job = await submitAndClaim('replay-after-claim', { idempotencyKey: 'claimed-key' });
    const again = await api()
      .post('/v1/jobs')
      .send({
        type: 'e2e.job',
        queue: 'replay-after-claim',
        payload: { queue: 'replay-after-claim' },
        idempotencyKey: 'claimed-key',
      })
      .expect(200);
    expect(again.body).toMatchObject({ id: job.id, status: 'processing' });
  });

  it('refuses an explicit key reused with different content (422) and writes nothing', async () => {
    await api()
      .post('/v1/jobs')
      .send({ type: 'a', payload: { v: 1 }, idempotencyKey: 'reused' })
      .expect(201);
    const before = await jobCount();
    for (const change of [{ type: 'b' }, { queue: 'other' }, { payload: { v: 2 } }]) {
      const response = await api()
        .post('/v1/jobs')
        .send({ type: 'a', payload: { v: 1 }, idempotencyKey: 'reused', ...change });
      expectProblem(response, 422, 'idempotency-key-reused');
    }
    expect(await jobCount()).toBe(before);
  });

  it('50 identical concurrent submits: one 201, 49 replays, no 5xx, one job', async () => {
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        api()
          .post('/v1/jobs')
          .send({ type: 'burst', queue: 'burst', payload: { same: true } }),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 200)).toHaveLength(49);
    expect(new Set(responses.map((response) => (response.body as { id: string }).id)).size).toBe(1);
    const { rows } = await t.db.client.query(`SELECT 1 FROM jobs WHERE queue = 'burst'`);
    expect(rows).toHaveLength(1);
  });

  describe('bad input gets a problem document and changes nothing', () => {
    const cases: [string, () => request.Test, number, string?][] = [
      ['missing type and payload', () => api().post('/v1/jobs').send({}), 400, 'validation-error'],
      [
        'payload not an object',
        () =>
          api()
            .post('/v1/jobs')
            .send({ type: 't', payload: [1, 2] }),
        400,
        'validation-error',
      ],
      [
        'unknown field',
        () => api().post('/v1/jobs').send({ type: 't', payload: {}, color: 'red' }),
        400,
        'validation-error',
      ],
      [
        'type with spaces',
        () => api().post('/v1/jobs').send({ type: 'has space', payload: {} }),
        400,
        'validation-error',
      ],
      [
        'type too long',
        () =>
          api()
            .post('/v1/jobs')
            .send({ type: 'x'.repeat(256), payload: {} }),
        400,
        'validation-error',
      ],
      [
        'maxAttempts 0',
        () => api().post('/v1/jobs').send({ type: 't', payload: {}, maxAttempts: 0 }),
        400,
        'validation-error',
      ],
      [
        'runAt not a date',
        () => api().post('/v1/jobs').send({ type: 't', payload: {}, runAt: 'soon' }),
        400,
        'validation-error',
      ],
      [
        'bad backoff',
        () =>
          api()
            .post('/v1/jobs')
            .send({ type: 't', payload: {}, backoff: { type: 'linear' } }),
        400,
        'validation-error',
      ],
      [
        'maxDelayMs below delayMs',
        () =>
          api()
            .post('/v1/jobs')
            .send({ type: 't', payload: {}, backoff: { type: 'exponential', delayMs: 10, maxDelayMs: 1 } }),
        400,
        'validation-error',
      ],
      [
        'header and body keys differ',
        () =>
          api()
            .post('/v1/jobs')
            .set('Idempotency-Key', 'one')
            .send({ type: 't', payload: {}, idempotencyKey: 'two' }),
        400,
        'validation-error',
      ],
      [
        'NUL in the payload',
        () =>
          api()
            .post('/v1/jobs')
            .send({ type: 't', payload: { s: 'a\u0000b' } }),
        400,
        'unsafe-json',
      ],
      [
        'malformed JSON',
        () =>
          api().post('/v1/jobs').set('Content-Type', 'application/json').send('{"type": "t", "payload": {'),
        400,
      ],
      [
        'a body over 1 MiB',
        () =>
          api()
            .post('/v1/jobs')
            .send({ type: 't', payload: { blob: 'x'.repeat(1024 * 1024) } }),
        413,
      ],
    ];

    // Object rows: with positional ones Jest hands a `done` callback to a 4-parameter test.
    it.each(cases.map(([label, send, status, type]) => ({ label, send, status, type })))(
      '$label',
      async ({ send, status, type }) => {
        const before = await jobCount();
        expectProblem(await send(), status, type);
        expect(await jobCount()).toBe(before);
      },
    );

    it('lists every bad field', async () => {
      const response = await api().post('/v1/jobs').send({ type: '', payload: 'x', priority: 'high' });
      expectProblem(response, 400, 'validation-error');
      const fields = (response.body as { errors: { field: string }[] }).errors
        .map((error) => error.field)
        .sort();
      expect(fields).toEqual(['payload', 'priority', 'type']);
    });
  });
});

describe('claim, heartbeat, complete, fail', () => {
  it('claims due jobs with a lease, and returns an empty list when nothing is due', async () => {
    await api()
      .post('/v1/jobs')
      .send({ type: 'c', queue: 'claims', payload: { i: 1 } })
      .expect(201);
    await api()
      .post('/v1/jobs')
      .send({ type: 'c', queue: 'claims', payload: { i: 2 } })
      .expect(201);
    const response = await api()
      .post('/v1/jobs/claim')
      .send({ queue: 'claims', limit: 10, leaseSeconds: 60 })
      .expect(200);
    const { jobs } = response.body as { jobs: (ClaimedJob & { leaseExpiresAt: string })[] };
    expect(jobs).toHaveLength(2);
    for (const job of jobs) {
      expect(job).toMatchObject({ status: 'processing', attempts: 1 });
      expect(job.leaseToken).toMatch(/^[0-9a-f-]{36}$/);
      expect(new Date(job.leaseExpiresAt).getTime()).toBeGreaterThan(Date.now() + 50_000);
    }
    await api().post('/v1/jobs/claim').send({ queue: 'claims' }).expect(200, { jobs: [] });
  });

  it('filters a claim by type', async () => {
    await api().post('/v1/jobs').send({ type: 'wanted', queue: 'typed', payload: {} }).expect(201);
    await api().post('/v1/jobs').send({ type: 'unwanted', queue: 'typed', payload: {} }).expect(201);
    const response = await api()
      .post('/v1/jobs/claim')
      .send({ queue: 'typed', types: ['wanted'], limit: 5 })
      .expect(200);
    expect((response.body as { jobs: { type: string }[] }).jobs.map((job) => job.type)).toEqual(['wanted']);
  });

  it.each([
    ['limit over 100', { limit: 101 }],
    ['limit 0', { limit: 0 }],
    ['leaseSeconds over the maximum', { leaseSeconds: 100_000 }],
    ['types not a list', { types: 'email' }],
  ])('refuses a claim with %s (400)', async (_label, body) => {
    expectProblem(await api().post('/v1/jobs/claim').send(body), 400, 'validation-error');
  });

  it('completes under the lease and keeps the result', async () => {
    const job = await submitAndClaim('complete');
    await api()
      .post(`/v1/jobs/${job.id}/heartbeat`)
      .send({ leaseToken: job.leaseToken, leaseSeconds: 120 })
      .expect(200);
    const done = await api()
      .post(`/v1/jobs/${job.id}/complete`)
      .send({ leaseToken: job.leaseToken, result: { sent: 1 } })
      .expect(200);
    expect(done.body).toMatchObject({ status: 'completed', result: { sent: 1 } });

    // Completing again under the same lease is the same answer (its first answer may have been
    // lost), marked as a replay; failing or heartbeating it is a conflict naming the status.
    const again = await api()
      .post(`/v1/jobs/${job.id}/complete`)
      .send({ leaseToken: job.leaseToken, result: { sent: 2 } })
      .expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toMatchObject({ status: 'completed', result: { sent: 1 } });
    for (const [action, body] of [
      ['fail', { leaseToken: job.leaseToken, error: 'late' }],
      ['heartbeat', { leaseToken: job.leaseToken }],
    ] as const) {
      const response = await api().post(`/v1/jobs/${job.id}/${action}`).send(body);
      expectProblem(response, 409, 'illegal-transition');
      expect(response.body).toMatchObject({ currentStatus: 'completed' });
    }
  });

  it('refuses a wrong lease token (409) and changes nothing', async () => {
    const job = await submitAndClaim('wrong-token');
    const response = await api()
      .post(`/v1/jobs/${job.id}/complete`)
      .send({ leaseToken: '00000000-0000-4000-8000-000000000000' });
    expectProblem(response, 409, 'lease-lost');
    const current = await api().get(`/v1/jobs/${job.id}`).expect(200);
    expect(current.body).toMatchObject({ status: 'processing' });
  });

  it('refuses a stale lease after expiry and re-claim (409)', async () => {
    const job = await submitAndClaim('stale');
    await t.db.expireLeases([job.id]);
    const reclaimed = await api().post('/v1/jobs/claim').send({ queue: 'stale' }).expect(200);
    expect((reclaimed.body as { jobs: ClaimedJob[] }).jobs[0]).toMatchObject({ id: job.id, attempts: 2 });
    expectProblem(
      await api().post(`/v1/jobs/${job.id}/fail`).send({ leaseToken: job.leaseToken, error: 'late' }),
      409,
      'lease-lost',
    );
  });

  it('fails into a retry, or into the dead-letter queue when not retryable', async () => {
    const retry = await submitAndClaim('fail-retry');
    const failed = await api()
      .post(`/v1/jobs/${retry.id}/fail`)
      .send({ leaseToken: retry.leaseToken, error: 'timeout' })
      .expect(200);
    expect(failed.body).toMatchObject({ status: 'failed', lastError: 'timeout' });
    expect(new Date((failed.body as { runAt: string }).runAt).getTime()).toBeGreaterThanOrEqual(
      new Date((failed.body as { updatedAt: string }).updatedAt).getTime(),
    );

    const permanent = await submitAndClaim('fail-permanent');
    const dead = await api()
      .post(`/v1/jobs/${permanent.id}/fail`)
      .send({ leaseToken: permanent.leaseToken, error: 'invalid address', retryable: false })
      .expect(200);
    expect(dead.body).toMatchObject({ status: 'dead_letter', lastError: 'invalid address' });
  });

  it.each([
    [
      'an unknown job',
      'complete',
      '6f1c2b9e-8a57-4f3e-9d55-0c6f3e1b2a10',
      { leaseToken: '6f1c2b9e-8a57-4f3e-9d55-0c6f3e1b2a10' },
      404,
    ],
    ['a malformed id', 'complete', 'not-a-uuid', { leaseToken: '6f1c2b9e-8a57-4f3e-9d55-0c6f3e1b2a10' }, 400],
    ['a missing token', 'complete', '6f1c2b9e-8a57-4f3e-9d55-0c6f3e1b2a10', {}, 400],
    [
      'a missing error',
      'fail',
      '6f1c2b9e-8a57-4f3e-9d55-0c6f3e1b2a10',
      { leaseToken: '6f1c2b9e-8a57-4f3e-9d55-0c6f3e1b2a10' },
      400,
    ],
    [
      'a heartbeat of an unknown job',
      'heartbeat',
      '6f1c2b9e-8a57-4f3e-9d55-0c6f3e1b2a10',
      { leaseToken: '6f1c2b9e-8a57-4f3e-9d55-0c6f3e1b2a10' },
      404,
    ],
  ])('answers %s with a problem', async (_label, action, id, body, status) => {
    expectProblem(await api().post(`/v1/jobs/${id}/${action}`).send(body), status);
  });
});

describe('progress', () => {
  it('is reported by the lease holder, throttled, merged, and shown with the job', async () => {
    const job = await submitAndClaim('progress');
    const report = (body: Record<string, unknown>) => api().post(`/v1/jobs/${job.id}/progress`).send(body);
    expect(
      (await report({ leaseToken: job.leaseToken, percent: 40, data: { rows: 4000 } }).expect(200)).body,
    ).toEqual({
      recorded: true,
    });
    // Too soon after the last: dropped, and said so.
    expect((await report({ leaseToken: job.leaseToken, percent: 41 }).expect(200)).body).toEqual({
      recorded: false,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await report({ leaseToken: job.leaseToken, percent: 80 }).expect(200);
    const shown = await api().get(`/v1/jobs/${job.id}`).expect(200);
    expect(shown.body).toMatchObject({ progress: { percent: 80, data: { rows: 4000 } } });

    // Only the lease holder, only sane values.
    const stranger = await report({ leaseToken: '6f1c2b9e-8a57-4f3e-9d55-0c6f3e1b2a10', percent: 1 });
    expectProblem(stranger, 409, 'lease-lost');
    expectProblem(await report({ leaseToken: job.leaseToken, percent: 101 }), 400, 'validation-error');
    const big = await report({ leaseToken: job.leaseToken, data: { blob: 'x'.repeat(5000) } });
    expectProblem(big, 400);
    await api().post(`/v1/jobs/${job.id}/complete`).send({ leaseToken: job.leaseToken }).expect(200);
    expectProblem(await report({ leaseToken: job.leaseToken, percent: 100 }), 409, 'illegal-transition');
    const unreported = await submitAndClaim('progress-none');
    expect((await api().get(`/v1/jobs/${unreported.id}`).expect(200)).body).toMatchObject({ progress: null });
  });
});

describe('waiting for a result', () => {
  it('answers the moment the job finishes, not before and not at a poll', async () => {
    const job = await submitAndClaim('wait');
    const started = Date.now();
    const waiting = api().get(`/v1/jobs/${job.id}?wait=20`);
    const answer = waiting.then((response) => response);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await api()
      .post(`/v1/jobs/${job.id}/complete`)
      .send({ leaseToken: job.leaseToken, result: 7 })
      .expect(200);
    const response = await answer;
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: job.id, status: 'completed', result: 7 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('answers the job as it is when the time is up, and at once when it has finished already', async () => {
    const job = await submitAndClaim('wait-timeout');
    const started = Date.now();
    const late = await api().get(`/v1/jobs/${job.id}?wait=1`).expect(200);
    expect(late.body).toMatchObject({ status: 'processing' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await api().post(`/v1/jobs/${job.id}/complete`).send({ leaseToken: job.leaseToken }).expect(200);
    const quick = Date.now();
    await api().get(`/v1/jobs/${job.id}?wait=30`).expect(200);
    expect(Date.now() - quick).toBeLessThan(1_000);
    expectProblem(await api().get(`/v1/jobs/${job.id}?wait=61`), 400, 'validation-error');
  });
});

describe('cancel and retry', () => {
  it('cancels a pending job, then retries it back to pending', async () => {
    const created = await api()
      .post('/v1/jobs')
      .send({ type: 'c', queue: 'cancel', payload: {} })
      .expect(201);
    const id = (created.body as { id: string }).id;
    await api()
      .post(`/v1/jobs/${id}/cancel`)
      .expect(200)
      .expect((r) => {
        expect(r.body).toMatchObject({ status: 'cancelled' });
      });
    expectProblem(await api().post(`/v1/jobs/${id}/cancel`), 409, 'illegal-transition');
    await api()
      .post(`/v1/jobs/${id}/retry`)
      .expect(200)
      .expect((r) => {
        expect(r.body).toMatchObject({ status: 'pending' });
      });
  });

  it('retries a dead-lettered job with a fresh attempt budget', async () => {
    const job = await submitAndClaim('redrive', { maxAttempts: 1 });
    await api().post(`/v1/jobs/${job.id}/fail`).send({ leaseToken: job.leaseToken, error: 'x' }).expect(200);
    const retried = await api().post(`/v1/jobs/${job.id}/retry`).expect(200);
    expect(retried.body).toMatchObject({ status: 'pending', attempts: 0 });
    const again = await api().post('/v1/jobs/claim').send({ queue: 'redrive' }).expect(200);
    expect((again.body as { jobs: ClaimedJob[] }).jobs[0]).toMatchObject({ id: job.id, attempts: 1 });
  });

  it('cancels a running job: its REST worker is told on its next heartbeat or acknowledgement', async () => {
    const job = await submitAndClaim('cancel-running');
    const cancelled = await api().post(`/v1/jobs/${job.id}/cancel`).expect(200);
    expect(cancelled.body).toMatchObject({ id: job.id, status: 'cancelled' });
    for (const [action, body] of [
      ['heartbeat', { leaseToken: job.leaseToken }],
      ['complete', { leaseToken: job.leaseToken }],
      ['fail', { leaseToken: job.leaseToken, error: 'late' }],
    ] as const) {
      const refused = await api().post(`/v1/jobs/${job.id}/${action}`).send(body);
      expectProblem(refused, 409, 'lease-lost');
      expect(refused.body).toMatchObject({ reason: 'cancelled', currentStatus: 'cancelled' });
    }
    const history = await api().get(`/v1/jobs/${job.id}`).expect(200);
    expect(history.body).toMatchObject({ attemptHistory: [{ attempt: 1, outcome: 'cancelled' }] });
  });

  it('refuses to retry a pending job (409) and to cancel a finished one, and 404s unknown ids', async () => {
    const job = await submitAndClaim('no-cancel');
    await api().post(`/v1/jobs/${job.id}/complete`).send({ leaseToken: job.leaseToken }).expect(200);
    const late = await api().post(`/v1/jobs/${job.id}/cancel`);
    expectProblem(late, 409, 'illegal-transition');
    expect(late.body).toMatchObject({ currentStatus: 'completed' });
    const pending = await api()
      .post('/v1/jobs')
      .send({ type: 'c', queue: 'no-retry', payload: {} })
      .expect(201);
    expectProblem(
      await api().post(`/v1/jobs/${(pending.body as { id: string }).id}/retry`),
      409,
      'illegal-transition',
    );
    expectProblem(
      await api().post('/v1/jobs/6f1c2b9e-8a57-4f3e-9d55-0c6f3e1b2a10/cancel'),
      404,
      'job-not-found',
    );
  });
});

describe('reading jobs', () => {
  it('GET /v1/jobs/:id includes the transition history', async () => {
    const job = await submitAndClaim('history');
    await api().post(`/v1/jobs/${job.id}/complete`).send({ leaseToken: job.leaseToken }).expect(200);
    const response = await api().get(`/v1/jobs/${job.id}`).expect(200);
    const events = (
      response.body as { events: { fromStatus: string | null; toStatus: string; workerId: string | null }[] }
    ).events;
    expect(events.map((event) => [event.fromStatus, event.toStatus])).toEqual([
      [null, 'pending'],
      ['pending', 'processing'],
      ['processing', 'completed'],
    ]);
    expect(events[1]!.workerId).toBe('e2e-worker');
    const attempts = (response.body as { attemptHistory: Record<string, unknown>[] }).attemptHistory;
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({
      attempt: 1,
      workerId: 'e2e-worker',
      outcome: 'completed',
      error: null,
    });
    expect(attempts[0]!['durationMs']).toEqual(expect.any(Number));
    expectProblem(await api().get('/v1/jobs/6f1c2b9e-8a57-4f3e-9d55-0c6f3e1b2a10'), 404, 'job-not-found');
  });

  it('pages through a filtered list with a cursor, newest first, without gaps or repeats', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      const response = await api()
        .post('/v1/jobs')
        .send({ type: 'listed', queue: 'listing', payload: { i } })
        .expect(201);
      ids.push((response.body as { id: string }).id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const query: Record<string, string> = { queue: 'listing', status: 'pending', limit: '3' };
      if (cursor !== null) query['cursor'] = cursor;
      const response = await api().get('/v1/jobs').query(query).expect(200);
      const body = response.body as { items: { id: string }[]; nextCursor: string | null };
      seen.push(...body.items.map((item) => item.id));
      cursor = body.nextCursor;
      if (cursor === null) break;
    }
    expect(seen).toEqual([...ids].reverse());
  });

  it('filters by the text of the last error, in any case, and pages through the matches', async () => {
    const settle = async (n: number, error: string | null, retryable = true): Promise<string> => {
      // A retry minutes away: a failed job that came due would be the next claim's, not the new one.
      const job = await submitAndClaim('error-text', {
        payload: { n },
        backoff: { type: 'fixed', delayMs: 300_000 },
      });
      if (error === null) {
        await api().post(`/v1/jobs/${job.id}/complete`).send({ leaseToken: job.leaseToken }).expect(200);
      } else {
        await api()
          .post(`/v1/jobs/${job.id}/fail`)
          .send({ leaseToken: job.leaseToken, error, retryable })
          .expect(200);
      }
      return job.id;
    };
    const handshake = await settle(1, 'TLS handshake failed: certificate expired', false);
    const tlsTimeout = await settle(2, 'tls timeout after 30 s');
    await settle(3, 'DNS lookup failed');
    const upstream = await settle(4, 'Upstream closed the TLS connection', false);
    await settle(5, null);
    const percent = await settle(6, 'disk 100% full');
    await settle(7, 'disk 1000 full');
    const underscore = await settle(8, 'quota_exceeded');
    await settle(9, 'quota-exceeded');

    const matching = async (query: Record<string, string>): Promise<string[]> => {
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 10; page += 1) {
        const response = await api()
          .get('/v1/jobs')
          .query({ queue: 'error-text', ...query, limit: '2', ...(cursor === null ? {} : { cursor }) })
          .expect(200);
        const body = response.body as { items: { id: string }[]; nextCursor: string | null };
        seen.push(...body.items.map((item) => item.id));
        cursor = body.nextCursor;
        if (cursor === null) return seen;
      }
      throw new Error('more than 10 pages');
    };
    // Newest first, two to a page: the third match is on the second page, and nothing else is.
    expect(await matching({ error: 'tls' })).toEqual([upstream, tlsTimeout, handshake]);
    expect(await matching({ error: 'TLS', status: 'dead_letter' })).toEqual([upstream, handshake]);
    // The text is matched as written: % and _ are not wildcards.
    expect(await matching({ error: '100%' })).toEqual([percent]);
    expect(await matching({ error: 'quota_' })).toEqual([underscore]);
    expect(await matching({ error: 'no such error' })).toEqual([]);
  });

  it.each([
    ['an unknown status', { status: 'done' }],
    ['a limit over 500', { limit: '501' }],
    ['a forged cursor', { cursor: 'bm90LWEtY3Vyc29y' }],
    ['a SQL-looking type', { type: "x'; DROP TABLE jobs; --" }],
    ['an empty error text', { error: '' }],
    ['an error text over 500 characters', { error: 'x'.repeat(501) }],
  ])('refuses %s (400)', async (_label, query) => {
    expectProblem(await api().get('/v1/jobs').query(query), 400);
  });

  it('GET /v1/stats counts jobs per queue and status', async () => {
    await api()
      .post('/v1/jobs')
      .send({ type: 's', queue: 'stats', payload: { i: 1 } })
      .expect(201);
    await api()
      .post('/v1/jobs')
      .send({ type: 's', queue: 'stats', payload: { i: 2 } })
      .expect(201);
    await submitAndClaim('stats-other');
    const response = await api().get('/v1/stats').expect(200);
    const queues = (
      response.body as {
        queues: { queue: string; counts: Record<string, number>; oldestPendingAgeSeconds: number | null }[];
      }
    ).queues;
    const stats = queues.find((queue) => queue.queue === 'stats');
    expect(stats?.counts).toEqual({
      waiting: 0,
      pending: 2,
      processing: 0,
      completed: 0,
      failed: 0,
      dead_letter: 0,
      cancelled: 0,
    });
    expect(stats?.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(queues.find((queue) => queue.queue === 'stats-other')).toMatchObject({
      counts: { processing: 1, pending: 0 },
      oldestPendingAgeSeconds: null,
    });
  });

  describe('GET /v1/stats/history', () => {
    interface Point {
      minute: string;
      completed: number;
      failed: number;
      deadLettered: number;
    }
    interface History {
      minutes: number;
      queues: { queue: string; points: Point[] }[];
    }
    const MINUTE = 60_000;
    const minuteOf = (at: string) => Math.floor(new Date(at).getTime() / MINUTE) * MINUTE;
    let key: string;
    const history = () => apiClient(t.server, key);
    beforeAll(async () => {
      const created = await api()
        .post('/v1/admin/api-keys')
        .send({ name: 'history', namespace: 'history', scopes: ['jobs:submit', 'jobs:read', 'jobs:work'] })
        .expect(201);
      key = (created.body as { key: string }).key;
    });

    /** Settles a new job of `queue` in the history namespace; the minute its status was entered. */
    async function settled(
      queue: string,
      n: number,
      outcome: 'complete' | 'retry' | 'dead',
    ): Promise<number> {
      const job = await submitAndClaim(queue, { payload: { n } }, history());
      const response = await history()
        .post(`/v1/jobs/${job.id}/${outcome === 'complete' ? 'complete' : 'fail'}`)
        .send(
          outcome === 'complete'
            ? { leaseToken: job.leaseToken }
            : { leaseToken: job.leaseToken, error: 'boom', retryable: outcome === 'retry' },
        )
        .expect(200);
      return minuteOf((response.body as { updatedAt: string }).updatedAt);
    }

    it('counts the jobs that completed, failed and were dead-lettered, each in its minute and queue', async () => {
      const expected = new Map<string, Point>();
      const count = (queue: string, minute: number, field: 'completed' | 'failed' | 'deadLettered') => {
        const at = new Date(minute).toISOString();
        const point = expected.get(`${queue} ${at}`) ?? {
          minute: at,
          completed: 0,
          failed: 0,
          deadLettered: 0,
        };
        point[field] += 1;
        expected.set(`${queue} ${at}`, point);
      };
      // Two completions folded into the per-minute counts, then moved five minutes back: as if
      // they had happened then. The later ones are still deltas the compactor has not folded.
      const earlier = [await settled('hist-a', 1, 'complete'), await settled('hist-a', 2, 'complete')];
      await t.db.client.query('SELECT conveyor_compact_job_stats()');
      await t.db.client.query(
        `UPDATE job_status_minutes SET minute = minute - interval '5 minutes' WHERE namespace = 'history'`,
      );
      for (const minute of earlier) count('hist-a', minute - 5 * MINUTE, 'completed');
      count('hist-a', await settled('hist-a', 3, 'complete'), 'completed');
      count('hist-a', await settled('hist-a', 4, 'retry'), 'failed');
      count('hist-b', await settled('hist-b', 5, 'dead'), 'deadLettered');
      count('hist-b', await settled('hist-b', 6, 'dead'), 'deadLettered');

      const body = (await history().get('/v1/stats/history?minutes=10').expect(200)).body as History;
      expect(body.minutes).toBe(10);
      expect(body.queues.map((queue) => queue.queue)).toEqual(['hist-a', 'hist-b']);
      const now = minuteOf(new Date().toISOString());
      for (const { queue, points } of body.queues) {
        // Every minute of the window, oldest first, the current one last.
        expect(points).toHaveLength(10);
        const last = new Date(points.at(-1)!.minute).getTime();
        expect(last).toBeGreaterThanOrEqual(now - MINUTE);
        expect(last).toBeLessThanOrEqual(now);
        expect(points.map((point) => new Date(point.minute).getTime())).toEqual(
          Array.from({ length: 10 }, (_, i) => last - (9 - i) * MINUTE),
        );
        for (const point of points) {
          expect(point).toEqual(
            expected.get(`${queue} ${point.minute}`) ?? {
              minute: point.minute,
              completed: 0,
              failed: 0,
              deadLettered: 0,
            },
          );
        }
      }
      const shown = body.queues.flatMap(({ queue, points }) =>
        points.map((point) => `${queue} ${point.minute}`),
      );
      expect(shown).toEqual(expect.arrayContaining([...expected.keys()]));
    });

    it('shows the last hour by default, one minute to a day, only of its own namespace', async () => {
      const hour = (await history().get('/v1/stats/history').expect(200)).body as History;
      expect(hour.minutes).toBe(60);
      expect(hour.queues.map((queue) => [queue.queue, queue.points.length])).toEqual([
        ['hist-a', 60],
        ['hist-b', 60],
      ]);
      const one = (await history().get('/v1/stats/history?minutes=1').expect(200)).body as History;
      expect(one.queues.map((queue) => queue.points.length)).toEqual([1, 1]);
      const day = (await history().get('/v1/stats/history?minutes=1440').expect(200)).body as History;
      expect(day.queues.map((queue) => queue.points.length)).toEqual([1440, 1440]);
      // What the first test counted, all of it within the day.
      const total = (field: keyof Omit<Point, 'minute'>) =>
        day.queues.map(({ points }) => points.reduce((sum, point) => sum + point[field], 0));
      expect([total('completed'), total('failed'), total('deadLettered')]).toEqual([
        [3, 0],
        [1, 0],
        [0, 2],
      ]);
      // A queue of the default namespace is not history's, and history's are not the default's.
      await api().post('/v1/jobs').send({ type: 't', queue: 'not-history', payload: {} }).expect(201);
      const other = (await api().get('/v1/stats/history').expect(200)).body as History;
      expect(other.queues.map((queue) => queue.queue)).toContain('not-history');
      expect(other.queues.map((queue) => queue.queue)).not.toContain('hist-a');
      const again = (await history().get('/v1/stats/history').expect(200)).body as History;
      expect(again.queues.map((queue) => queue.queue)).toEqual(['hist-a', 'hist-b']);
    });

    it.each(['0', '1441', '-5', '1.5', 'sixty', ''])('refuses minutes=%s (400)', async (minutes) => {
      const response = await history().get(`/v1/stats/history?minutes=${minutes}`);
      expectProblem(response, 400, 'validation-error');
      expect((response.body as { errors: { field: string }[] }).errors.map((error) => error.field)).toEqual([
        'minutes',
      ]);
    });
  });

  it('answers unknown routes with a problem document', async () => {
    expectProblem(await api().get('/v1/nothing-here'), 404);
  });
});

describe('dead-letter queue', () => {
  async function deadLetter(queue: string, type: string, error: string): Promise<string> {
    await api().post('/v1/jobs').send({ type, queue, payload: { error } }).expect(201);
    const claim = await api()
      .post('/v1/jobs/claim')
      .send({ queue, types: [type] })
      .expect(200);
    const job = (claim.body as { jobs: ClaimedJob[] }).jobs[0]!;
    await api()
      .post(`/v1/jobs/${job.id}/fail`)
      .send({ leaseToken: job.leaseToken, error, retryable: false })
      .expect(200);
    return job.id;
  }

  const ids = (response: request.Response) =>
    (response.body as { items: { id: string }[] }).items.map((item) => item.id);

  it('lists dead letters by queue, type, error text and age, and redrives them', async () => {
    const smtp = await deadLetter('dlq-mail', 'mail.send', 'SMTP 554: mailbox unavailable');
    const dns = await deadLetter('dlq-mail', 'mail.send', 'DNS lookup failed');
    const report = await deadLetter('dlq-reports', 'report.build', 'SMTP relay refused');
    await t.db.client.query(`UPDATE jobs SET updated_at = now() - interval '2 hours' WHERE id = $1`, [dns]);

    expect(ids(await api().get('/v1/dead-letter').query({ queue: 'dlq-mail' }).expect(200)).sort()).toEqual(
      [smtp, dns].sort(),
    );
    expect(ids(await api().get('/v1/dead-letter').query({ error: 'smtp' }).expect(200)).sort()).toEqual(
      [smtp, report].sort(),
    );
    expect(ids(await api().get('/v1/dead-letter').query({ type: 'report.build' }).expect(200))).toEqual([
      report,
    ]);
    expect(
      ids(await api().get('/v1/dead-letter').query({ queue: 'dlq-mail', minAgeSeconds: 3600 }).expect(200)),
    ).toEqual([dns]);
    expect(
      ids(await api().get('/v1/dead-letter').query({ queue: 'dlq-mail', maxAgeSeconds: 3600 }).expect(200)),
    ).toEqual([smtp]);

    const byFilter = await api().post('/v1/dead-letter/redrive').send({ error: 'SMTP' }).expect(200);
    expect(byFilter.body).toEqual({ redriven: 2 });
    for (const id of [smtp, report]) {
      const job = await api().get(`/v1/jobs/${id}`).expect(200);
      expect(job.body).toMatchObject({ status: 'pending', attempts: 0 });
    }
    const byIds = await api()
      .post('/v1/dead-letter/redrive')
      .send({ ids: [dns, smtp] })
      .expect(200);
    expect(byIds.body).toEqual({ redriven: 1 }); // smtp is no longer dead-lettered
    expect(ids(await api().get('/v1/dead-letter').query({ queue: 'dlq-mail' }).expect(200))).toEqual([]);
  });

  it.each([
    ['a negative age', { minAgeSeconds: -1 }],
    ['ids that are not UUIDs', { ids: ['nope'] }],
    ['an unknown field', { status: 'completed' }],
  ])('refuses a redrive with %s (400)', async (_label, body) => {
    expectProblem(await api().post('/v1/dead-letter/redrive').send(body), 400, 'validation-error');
  });
});
