import { Batcher } from './batcher.js';

/** A write that records its batches and finishes when told to. */
function recordingWrite() {
  const batches: number[][] = [];
  const pending: (() => void)[] = [];
  return {
    batches,
    finishAll: () => {
      for (const finish of pending.splice(0)) finish();
    },
    write: (batch: number[]) =>
      new Promise<void>((resolve) => {
        batches.push(batch);
        pending.push(resolve);
      }),
  };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('Batcher (group commit)', () => {
  it('writes items added in the same turn together, at the next turn, with no fixed delay', async () => {
    const recorder = recordingWrite();
    const batcher = new Batcher({ batchSize: 100, concurrency: 2, write: recorder.write });
    batcher.add(1);
    batcher.add(2);
    batcher.add(3);
    expect(recorder.batches).toEqual([]);
    await nextTurn();
    expect(recorder.batches).toEqual([[1, 2, 3]]);
  });

  it('lets items that arrive while the writes are in flight wait, then go in one write', async () => {
    const recorder = recordingWrite();
    const batcher = new Batcher({ batchSize: 100, concurrency: 1, write: recorder.write });
    batcher.add(1);
    await nextTurn();
    for (const item of [2, 3, 4]) {
      batcher.add(item);
      await nextTurn();
    }
    expect(recorder.batches).toEqual([[1]]);
    recorder.finishAll();
    await nextTurn();
    expect(recorder.batches).toEqual([[1], [2, 3, 4]]);
  });

  it('splits a backlog into writes of batchSize, up to `concurrency` at once', async () => {
    const recorder = recordingWrite();
    const batcher = new Batcher({ batchSize: 2, concurrency: 2, write: recorder.write });
    for (const item of [1, 2, 3, 4, 5]) batcher.add(item);
    await nextTurn();
    expect(recorder.batches).toEqual([
      [1, 2],
      [3, 4],
    ]);
    recorder.finishAll();
    await nextTurn();
    expect(recorder.batches.at(-1)).toEqual([5]);
  });
});
