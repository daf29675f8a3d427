/**
 * Group commit, the mechanism: items that arrive while up to `concurrency` writes are in flight
 * wait, then go together, up to `batchSize` per write. An idle service writes each item at once
 * (the next turn of the event loop): batches form only under load, and add no fixed delay.
 */
export class Batcher<T> {
  private queue: T[] = [];
  private inFlight = 0;
  private pumpScheduled = false;

  /** `write` settles every item of its batch itself and never rejects. */
  constructor(
    private readonly options: {
      batchSize: number;
      concurrency: number;
      write: (batch: T[]) => Promise<void>;
    },
  ) {}

  add(item: T): void {
    this.queue.push(item);
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    // Items added in the same turn of the event loop share one write.
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < this.options.concurrency) {
      const batch = this.queue.splice(0, this.options.batchSize);
      this.inFlight += 1;
      void this.options.write(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }
}
