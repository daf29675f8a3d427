import { JobHandler, type JobHandlerInstance } from '#conveyor/worker';

/** Does nothing, successfully. Used by the benchmarks and as the smallest possible handler. */
@JobHandler('noop', { concurrency: 200 })
export class NoopHandler implements JobHandlerInstance {
  handle(): Promise<void> {
    return Promise.resolve();
  }
}
