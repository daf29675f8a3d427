import { loadConfig } from '#conveyor/config';
import { IdempotencyConflictError, JobRefusedError, NamespaceFullError } from '../../domain/job.errors.js';
import type { JobView } from '../job-view.js';
import type { JobStore, KeyedJob, NewJob } from '../ports/job-store.js';
import { SubmitGroupCommitter } from './submit-group-committer.js';

/**
 * The port as far as submits go, in memory: keys won by the first job that takes them, statements
 * recorded, and a way to make the next statement fail.
 */
class KeyStore {
  readonly statements: string[][] = [];
  readonly keys = new Map<string, { job: JobView; fingerprint: string }>();
  /** Fails the next insertJobs of a batch holding a job with this key, with this error. */
  refuse: { key: string; error: Error } | undefined;
  waiting = new Map<string, number>();

  insertJobs(jobs: readonly NewJob[]): Promise<Map<string, JobView>> {
    this.statements.push(jobs.map((job) => job.idempotencyKey));
    const refusal = this.refuse;
    if (refusal !== undefined && jobs.some((job) => job.idempotencyKey === refusal.key)) {
      return Promise.reject(refusal.error);
    }
    const inserted = new Map<string, JobView>();
    for (const job of jobs) {
      const key = `${job.namespace}/${job.idempotencyKey}`;
      if (this.keys.has(key)) continue;
      const view = viewOf(job);
      this.keys.set(key, { job: view, fingerprint: job.fingerprint });
      inserted.set(job.id, view);
    }
    return Promise.resolve(inserted);
  }

  findByIdempotencyKeys(keys: readonly { namespace: string; idempotencyKey: string }[]): Promise<KeyedJob[]> {
    return Promise.resolve(
      keys.flatMap(({ namespace, idempotencyKey }) => {
        const held = this.keys.get(`${namespace}/${idempotencyKey}`);
        return held === undefined ? [] : [{ job: held.job, keyFingerprint: held.fingerprint }];
      }),
    );
  }

  countWaiting(): Promise<Map<string, number>> {
    return Promise.resolve(new Map(this.waiting));
  }
}

/** As much of the inserted job as the committer reads (its id and key); the rest is the adapter's. */
function viewOf(job: NewJob): JobView {
  return { id: job.id, namespace: job.namespace, idempotencyKey: job.idempotencyKey } as JobView;
}

let ids = 0;
function newJob(key: string, fingerprint = `fp-${key}`, namespace = 'default'): NewJob {
  ids += 1;
  return {
    id: `job-${ids}`,
    namespace,
    queue: 'default',
    type: 't',
    payload: {},
    priority: 0,
    runAt: null,
    maxAttempts: 3,
    backoff: { type: 'fixed', delayMs: 0, maxDelayMs: 0 },
    idempotencyKey: key,
    fingerprint,
    dedupeWindowSeconds: 60,
    traceparent: null,
    concurrencyKey: null,
    callbackUrl: null,
  };
}

function committer(store: KeyStore, env: Record<string, string> = {}): SubmitGroupCommitter {
  return new SubmitGroupCommitter(store as unknown as JobStore, loadConfig(env));
}

describe('SubmitGroupCommitter', () => {
  it('writes concurrent submits with one statement, and answers each its own outcome', async () => {
    const store = new KeyStore();
    const submits = committer(store);
    const outcomes = await Promise.all(['a', 'b', 'c'].map((key) => submits.submit(newJob(key))));
    expect(store.statements).toEqual([['a', 'b', 'c']]);
    expect(outcomes.map((outcome) => outcome.created)).toEqual([true, true, true]);
  });

  it('sends one submit per key to the database; its duplicates share the outcome as replays', async () => {
    const store = new KeyStore();
    const submits = committer(store);
    const [first, second] = await Promise.all([
      submits.submit(newJob('same')),
      submits.submit(newJob('same')),
    ]);
    expect(store.statements).toEqual([['same']]);
    expect(first).toMatchObject({ created: true });
    expect(second).toMatchObject({ created: false, job: { id: first.job.id } });
  });

  it('answers a key already held with the same content as a replay, with other content as a conflict', async () => {
    const store = new KeyStore();
    const submits = committer(store);
    const original = await submits.submit(newJob('held'));
    await expect(submits.submit(newJob('held'))).resolves.toMatchObject({
      created: false,
      job: { id: original.job.id },
    });
    await expect(submits.submit(newJob('held', 'other content'))).rejects.toBeInstanceOf(
      IdempotencyConflictError,
    );
  });

  it('fails only the job PostgreSQL refuses, and writes its neighbours', async () => {
    const store = new KeyStore();
    store.refuse = { key: 'poison', error: Object.assign(new Error('out of range'), { code: '22008' }) };
    const submits = committer(store);
    const results = await submits.submitMany([newJob('a'), newJob('poison'), newJob('b')]);
    expect(results.map((result) => (result.ok ? 'written' : result.error))).toEqual([
      'written',
      expect.any(JobRefusedError) as unknown,
      'written',
    ]);
    expect([...store.keys.keys()].sort()).toEqual(['default/a', 'default/b']);
  });

  it('fails every submit of a statement the database could not run at all, without retrying each', async () => {
    const store = new KeyStore();
    const outage = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    store.refuse = { key: 'a', error: outage };
    const results = await committer(store).submitMany([newJob('a'), newJob('b')]);
    expect(results).toEqual([
      { ok: false, error: outage },
      { ok: false, error: outage },
    ]);
    expect(store.statements).toHaveLength(1);
  });

  it('refuses submits past the namespace cap, and still answers replays of held keys', async () => {
    const store = new KeyStore();
    const submits = committer(store, { CONVEYOR_MAX_PENDING_PER_NAMESPACE: '2' });
    await submits.submit(newJob('held'));
    store.waiting.set('default', 2);
    await expect(submits.submit(newJob('new'))).rejects.toBeInstanceOf(NamespaceFullError);
    await expect(submits.submit(newJob('held'))).resolves.toMatchObject({ created: false });
  });
});
