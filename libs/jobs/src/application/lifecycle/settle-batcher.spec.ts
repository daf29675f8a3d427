import { loadConfig } from '#conveyor/config';
import type { JobView } from '../job-view.js';
import type { Completion, Failure, JobStore } from '../ports/job-store.js';
import { SettleBatcher } from './settle-batcher.js';

/** The settling part of the port, in memory: jobs held under a token, statements recorded. */
class LeaseStore {
  readonly statements: { kind: string; namespace: string; ids: string[] }[] = [];
  readonly held = new Map<string, string>();
  failNamespace: string | undefined;

  complete(namespace: string, completions: readonly Completion[]): Promise<Map<string, JobView>> {
    return this.settle('complete', namespace, completions);
  }

  fail(namespace: string, failures: readonly Failure[]): Promise<Map<string, JobView>> {
    return this.settle('fail', namespace, failures);
  }

  private settle(
    kind: string,
    namespace: string,
    attempts: readonly { id: string; leaseToken: string }[],
  ): Promise<Map<string, JobView>> {
    this.statements.push({ kind, namespace, ids: attempts.map((attempt) => attempt.id) });
    if (namespace === this.failNamespace) return Promise.reject(new Error('statement failed'));
    const settled = new Map<string, JobView>();
    for (const { id, leaseToken } of attempts) {
      if (this.held.get(id) !== leaseToken) continue;
      this.held.delete(id);
      settled.set(id, { id } as JobView);
    }
    return Promise.resolve(settled);
  }
}

function batcher(store: LeaseStore): SettleBatcher {
  return new SettleBatcher(store as unknown as JobStore, loadConfig({}));
}

describe('SettleBatcher', () => {
  it('settles concurrent completions of a namespace with one statement; each learns its own fate', async () => {
    const store = new LeaseStore();
    store.held.set('a', 'ta').set('b', 'tb');
    const settle = batcher(store);
    const [a, b, lost] = await Promise.all([
      settle.complete('ns', { id: 'a', leaseToken: 'ta', result: null }),
      settle.complete('ns', { id: 'b', leaseToken: 'tb', result: null }),
      settle.complete('ns', { id: 'c', leaseToken: 'tc', result: null }),
    ]);
    expect(store.statements).toEqual([{ kind: 'complete', namespace: 'ns', ids: ['a', 'b', 'c'] }]);
    expect([a?.id, b?.id, lost]).toEqual(['a', 'b', undefined]);
  });

  it('keeps kinds and namespaces apart, in statements of their own', async () => {
    const store = new LeaseStore();
    store.held.set('a', 't').set('b', 't').set('c', 't');
    const settle = batcher(store);
    await Promise.all([
      settle.complete('one', { id: 'a', leaseToken: 't', result: null }),
      settle.complete('two', { id: 'b', leaseToken: 't', result: null }),
      settle.fail('one', { id: 'c', leaseToken: 't', error: 'x', retryable: true }),
    ]);
    expect(store.statements.map(({ kind, namespace }) => `${kind} ${namespace}`).sort()).toEqual([
      'complete one',
      'complete two',
      'fail one',
    ]);
  });

  it('never settles one job twice in a statement: the second waits for the next and is refused there', async () => {
    const store = new LeaseStore();
    store.held.set('a', 't');
    const settle = batcher(store);
    const [first, second] = await Promise.all([
      settle.complete('ns', { id: 'a', leaseToken: 't', result: 1 }),
      settle.fail('ns', { id: 'a', leaseToken: 't', error: 'late', retryable: true }),
    ]);
    expect(first?.id).toBe('a');
    expect(second).toBeUndefined();
    expect(store.statements.map((statement) => statement.kind)).toEqual(['complete', 'fail']);
  });

  it('rejects the callers of a statement that failed, and only them', async () => {
    const store = new LeaseStore();
    store.held.set('a', 't').set('b', 't');
    store.failNamespace = 'broken';
    const settle = batcher(store);
    const [broken, fine] = await Promise.allSettled([
      settle.complete('broken', { id: 'a', leaseToken: 't', result: null }),
      settle.complete('fine', { id: 'b', leaseToken: 't', result: null }),
    ]);
    expect(broken.status).toBe('rejected');
    expect(fine).toMatchObject({ status: 'fulfilled', value: { id: 'b' } });
  });
});
