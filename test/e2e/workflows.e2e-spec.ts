import { apiClient, startTestApp, type TestApp } from '../support/app.js';
import { expectProblem } from '../support/problem.js';

// Workflows over REST (docs/workflows.md): submitted whole, run in dependency order with their
// parents' results, failure policies, control, and every refusal a 400 that writes nothing.

let t: TestApp;
const api = () => apiClient(t.server);

beforeAll(async () => {
  t = await startTestApp({ CONVEYOR_ROLE: 'api', CONVEYOR_RATE_LIMIT_SUBMIT: '0' });
});
afterAll(async () => {
  await t.close();
});

interface Node {
  ref: string;
  jobId: string;
  status: string;
  dependsOn: string[];
  lastError: string | null;
}
interface Workflow {
  id: string;
  status: string;
  nodeCount: number;
  counts: Record<string, number>;
  nodes: Node[];
  startedAt: string | null;
  finishedAt: string | null;
}
interface Claimed {
  id: string;
  leaseToken: string;
  workflowRef: string | null;
  parents: Record<string, { id: string; status: string; result: unknown }>;
}

let queues = 0;
/** A queue of its own for each test: claims see only that test's jobs. */
const newQueue = (): string => `wf-${++queues}`;

const statuses = (workflow: Workflow): Record<string, string> =>
  Object.fromEntries(workflow.nodes.map((node) => [node.ref, node.status]));

async function submit(body: object, expected = 201): Promise<Workflow> {
  const response = await api().post('/v1/workflows').send(body);
  expect(response.status).toBe(expected);
  return response.body as Workflow;
}

async function get(id: string): Promise<Workflow> {
  return (await api().get(`/v1/workflows/${id}`).expect(200)).body as Workflow;
}

async function claim(queue: string, limit = 10): Promise<Claimed[]> {
  const response = await api().post('/v1/jobs/claim').send({ queue, limit, workerId: 'w' }).expect(200);
  return (response.body as { jobs: Claimed[] }).jobs;
}

async function complete(job: Claimed, result: unknown): Promise<void> {
  await api().post(`/v1/jobs/${job.id}/complete`).send({ leaseToken: job.leaseToken, result }).expect(200);
}

async function failForGood(job: Claimed): Promise<void> {
  await api()
    .post(`/v1/jobs/${job.id}/fail`)
    .send({ leaseToken: job.leaseToken, error: 'broken for good', retryable: false })
    .expect(200);
}

async function rowCounts(): Promise<{ workflows: number; jobs: number; edges: number }> {
  const { rows } = await t.db.client.query<{ workflows: number; jobs: number; edges: number }>(
    `SELECT (SELECT count(*)::int FROM workflows) AS workflows, (SELECT count(*)::int FROM jobs) AS jobs,
            (SELECT count(*)::int FROM job_dependencies) AS edges`,
  );
  return rows[0]!;
}

const diamond = (queue: string) => ({
  name: 'diamond',
  nodes: [
    { ref: 'a', type: 'step', queue, payload: { step: 'a' } },
    { ref: 'b', type: 'step', queue, payload: { step: 'b' }, dependsOn: ['a'] },
    { ref: 'c', type: 'step', queue, payload: { step: 'c' }, dependsOn: ['a'] },
    { ref: 'd', type: 'step', queue, payload: { step: 'd' }, dependsOn: ['b', 'c'] },
  ],
});

describe('a diamond, a → (b, c) → d', () => {
  it('runs each node only once everything it depends on has completed, handing it their results', async () => {
    const queue = newQueue();
    const workflow = await submit(diamond(queue));
    expect(workflow).toMatchObject({ status: 'running', nodeCount: 4, startedAt: null, finishedAt: null });
    expect(statuses(workflow)).toEqual({ a: 'pending', b: 'waiting', c: 'waiting', d: 'waiting' });
    expect(workflow.counts).toMatchObject({ pending: 1, waiting: 3 });

    const [a, ...none] = await claim(queue);
    expect(none).toEqual([]);
    expect(a).toMatchObject({ workflowRef: 'a', parents: {} });
    await complete(a!, { rows: 3 });

    const middle = await claim(queue);
    expect(middle.map((job) => job.workflowRef).sort()).toEqual(['b', 'c']);
    for (const job of middle) {
      expect(job.parents).toEqual({ a: { id: a!.id, status: 'completed', result: { rows: 3 } } });
    }
    expect(await claim(queue)).toEqual([]);
    await complete(middle[0]!, `from ${middle[0]!.workflowRef!}`);
    expect(await claim(queue)).toEqual([]); // d still waits for the other one
    await complete(middle[1]!, `from ${middle[1]!.workflowRef!}`);

    const [d] = await claim(queue);
    expect(d!.workflowRef).toBe('d');
    expect(Object.keys(d!.parents).sort()).toEqual(['b', 'c']);
    expect(d!.parents['b']!.result).toBe('from b');
    expect(d!.parents['c']!.result).toBe('from c');
    await complete(d!, null);

    const done = await get(workflow.id);
    expect(done.status).toBe('completed');
    expect(done.counts).toMatchObject({ completed: 4, waiting: 0 });
    expect(done.startedAt).not.toBeNull();
    expect(done.finishedAt).not.toBeNull();
    expect(done.nodes.find((node) => node.ref === 'd')!.dependsOn).toEqual(['b', 'c']);
  });

  it('shows its nodes as jobs too, with their workflow and reference', async () => {
    const workflow = await submit(diamond(newQueue()));
    const b = workflow.nodes.find((node) => node.ref === 'b')!;
    const job = (await api().get(`/v1/jobs/${b.jobId}`).expect(200)).body as Record<string, unknown>;
    expect(job).toMatchObject({ status: 'waiting', workflowId: workflow.id, workflowRef: 'b' });
    // Born waiting, as its history says.
    expect(job['events']).toEqual([expect.objectContaining({ fromStatus: null, toStatus: 'waiting' })]);
    const waiting = await api().get('/v1/jobs?status=waiting&limit=500').expect(200);
    expect((waiting.body as { items: { id: string }[] }).items.map((item) => item.id)).toContain(b.jobId);
  });
});

describe('failure policy', () => {
  it('cancels the dependents of a dead-lettered node, transitively, and resumes them when it is redriven', async () => {
    const queue = newQueue();
    const workflow = await submit({
      nodes: [
        { ref: 'fetch', type: 'step', queue, payload: {} },
        { ref: 'parse', type: 'step', queue, payload: {}, dependsOn: ['fetch'] },
        { ref: 'store', type: 'step', queue, payload: {}, dependsOn: ['parse'] },
        {
          ref: 'cleanup',
          type: 'step',
          queue,
          payload: {},
          dependsOn: [{ ref: 'parse', onFailure: 'continue' }],
        },
      ],
    });
    const [fetch] = await claim(queue);
    await failForGood(fetch!);
    const failed = await get(workflow.id);
    expect(statuses(failed)).toEqual({
      fetch: 'dead_letter',
      parse: 'cancelled',
      store: 'cancelled',
      // Its parent was cancelled, and it runs anyway: a clean-up step.
      cleanup: 'pending',
    });
    expect(failed.status).toBe('running');
    const parse = failed.nodes.find((node) => node.ref === 'parse')!;
    expect(parse.lastError).toContain('fetch');

    const [cleanup] = await claim(queue);
    expect(cleanup!.workflowRef).toBe('cleanup');
    expect(cleanup!.parents['parse']).toMatchObject({ status: 'cancelled', result: null });
    await complete(cleanup!, 'cleaned');
    expect((await get(workflow.id)).status).toBe('failed');

    // The dead letter is redriven: what its failure cancelled waits again, and runs after it.
    await api().post('/v1/dead-letter/redrive').send({ queue }).expect(200);
    expect(statuses(await get(workflow.id))).toEqual({
      fetch: 'pending',
      parse: 'waiting',
      store: 'waiting',
      cleanup: 'completed',
    });
    for (const ref of ['fetch', 'parse', 'store']) {
      const [job] = await claim(queue);
      expect(job!.workflowRef).toBe(ref);
      await complete(job!, ref);
    }
    const finished = await get(workflow.id);
    expect(finished.status).toBe('completed');
  });

  it('applies the workflow-wide policy to dependencies that name none', async () => {
    const queue = newQueue();
    const workflow = await submit({
      onParentFailure: 'continue',
      nodes: [
        { ref: 'a', type: 'step', queue, payload: {} },
        { ref: 'b', type: 'step', queue, payload: {}, dependsOn: ['a'] },
        { ref: 'c', type: 'step', queue, payload: {}, dependsOn: [{ ref: 'a', onFailure: 'cancel' }] },
      ],
    });
    const [a] = await claim(queue);
    await failForGood(a!);
    expect(statuses(await get(workflow.id))).toEqual({ a: 'dead_letter', b: 'pending', c: 'cancelled' });
  });
});

describe('control', () => {
  it('cancels every unfinished node, and retries the failed part', async () => {
    const queue = newQueue();
    const workflow = await submit(diamond(queue));
    const [a] = await claim(queue);
    await complete(a!, 'a');
    const [b] = await claim(queue, 1); // b or c is running
    const cancelled = (await api().post(`/v1/workflows/${workflow.id}/cancel`).expect(200)).body as Workflow;
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.counts).toMatchObject({ completed: 1, cancelled: 3 });
    // The running node's lease is void.
    const refused = await api()
      .post(`/v1/jobs/${b!.id}/complete`)
      .send({ leaseToken: b!.leaseToken, result: null });
    expectProblem(refused, 409, 'lease-lost');

    const retried = (await api().post(`/v1/workflows/${workflow.id}/retry`).expect(200)).body as Workflow;
    expect(statuses(retried)).toEqual({ a: 'completed', b: 'pending', c: 'pending', d: 'waiting' });
    for (let round = 0; round < 2; round += 1) {
      for (const job of await claim(queue)) await complete(job, job.workflowRef);
    }
    expect((await get(workflow.id)).status).toBe('completed');
  });

  it('lists workflows newest first, a page at a time', async () => {
    const queue = newQueue();
    const ids: string[] = [];
    for (let n = 0; n < 3; n += 1)
      ids.push(
        (await submit({ name: `list-${n}`, nodes: [{ ref: 'x', type: 't', queue, payload: {} }] })).id,
      );
    const first = await api().get('/v1/workflows?limit=2').expect(200);
    const page = first.body as {
      items: { id: string; counts: Record<string, number> }[];
      nextCursor: string;
    };
    expect(page.items.map((item) => item.id)).toEqual([ids[2], ids[1]]);
    expect(page.items[0]!.counts.pending).toBe(1);
    const second = await api().get(`/v1/workflows?limit=2&cursor=${page.nextCursor}`).expect(200);
    expect((second.body as { items: { id: string }[] }).items[0]!.id).toBe(ids[0]);
    expectProblem(await api().get('/v1/workflows?cursor=bm90LWEtY3Vyc29y'), 400, 'invalid-cursor');
  });

  it('answers 404 for a workflow of another namespace, or none', async () => {
    const workflow = await submit(diamond(newQueue()));
    const created = await api()
      .post('/v1/admin/api-keys')
      .send({ name: 'other', namespace: 'other', scopes: ['jobs:read', 'jobs:submit'] });
    const other = apiClient(t.server, (created.body as { key: string }).key);
    expectProblem(await other.get(`/v1/workflows/${workflow.id}`), 404, 'workflow-not-found');
    expectProblem(await other.post(`/v1/workflows/${workflow.id}/cancel`), 404, 'workflow-not-found');
    expect(statuses(await get(workflow.id)).a).toBe('pending');
  });
});

describe('idempotency', () => {
  it('answers a replay with the same workflow, and a different one under the same key with 422', async () => {
    const body = { ...diamond(newQueue()), idempotencyKey: 'nightly-2026-12-03' };
    const first = await submit(body);
    const before = await rowCounts();
    const again = await api().post('/v1/workflows').send(body).expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((again.body as Workflow).id).toBe(first.id);
    const conflicting = await api()
      .post('/v1/workflows')
      .set('Idempotency-Key', 'nightly-2026-12-03')
      .send({ ...body, idempotencyKey: undefined, name: 'other' });
    expectProblem(conflicting, 422, 'idempotency-key-reused');
    expect(await rowCounts()).toEqual(before);
  });

  it('creates one workflow from many concurrent identical submits', async () => {
    const body = { ...diamond(newQueue()), idempotencyKey: 'concurrent' };
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => api().post('/v1/workflows').send(body)),
    );
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(1);
    expect(new Set(answers.map((answer) => (answer.body as Workflow).id)).size).toBe(1);
    const { rows } = await t.db.client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM workflows WHERE idempotency_key = 'concurrent'`,
    );
    expect(rows[0]!.n).toBe(1);
  });
});

describe('refused workflows: 400 naming the problem, nothing written', () => {
  const node = (ref: string, dependsOn: unknown[] = []) => ({ ref, type: 't', payload: {}, dependsOn });
  it.each([
    [
      'a cycle',
      { nodes: [node('a', ['c']), node('b', ['a']), node('c', ['b'])] },
      'nodes',
      'cycle: a → c → b → a',
    ],
    [
      'a missing reference',
      { nodes: [node('a'), node('b', ['nope'])] },
      'nodes.1.dependsOn.0',
      'no node has the ref "nope"',
    ],
    ['a duplicate reference', { nodes: [node('a'), node('a')] }, 'nodes.1.ref', 'also the ref of nodes.0'],
    ['a node depending on itself', { nodes: [node('a', ['a'])] }, 'nodes.0.dependsOn.0', 'itself'],
    ['no nodes', { nodes: [] }, 'nodes', ''],
    ['a bad ref', { nodes: [node('__proto__')] }, 'nodes.0.ref', ''],
    [
      'a bad dependency',
      { nodes: [node('a'), node('b', [{ ref: 'a', onFailure: 'ignore' }])] },
      'nodes.1.dependsOn',
      '',
    ],
    ['an invalid node', { nodes: [node('a'), { ...node('b'), priority: 1e6 }] }, 'nodes.1.priority', ''],
  ])('%s', async (_label, body, field, message) => {
    const before = await rowCounts();
    const response = await api().post('/v1/workflows').send(body);
    expectProblem(response, 400);
    const errors = (response.body as { errors: { field: string; messages: string[] }[] }).errors;
    const error = errors.find((candidate) => candidate.field === field);
    expect(error).toBeDefined();
    if (message !== '') expect(error!.messages.join(' ')).toContain(message);
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses a workflow of more than 10,000 nodes', async () => {
    const before = await rowCounts();
    const nodes = Array.from({ length: 10_001 }, (_, n) => ({ ref: `n${n}`, type: 't', payload: {} }));
    const response = await api().post('/v1/workflows').send({ nodes });
    expectProblem(response, 400);
    expect(JSON.stringify(response.body)).toContain('nodes');
    expect(await rowCounts()).toEqual(before);
  });
});
