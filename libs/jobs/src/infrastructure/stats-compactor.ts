import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { JobRepository } from './job.repository.js';

const INTERVAL_MS = 1000;

/**
 * Folds the stats deltas the job triggers append into the counters, every second, in every role:
 * any instance that writes jobs produces deltas. Safe on many instances at once (each delta row is
 * deleted, and so counted, by exactly one of them).
 */
@Injectable()
export class StatsCompactor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Stats');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private lastPrune = 0;

  constructor(private readonly repository: JobRepository) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.running = this.compact().finally(() => {
        if (!this.stopped) this.schedule();
      });
    }, INTERVAL_MS);
  }

  private async compact(): Promise<void> {
    try {
      await this.repository.compactStats();
      if (Date.now() - this.lastPrune > 60 * 60 * 1000) {
        this.lastPrune = Date.now();
        await this.repository.pruneStatusMinutes();
      }
    } catch (error) {
      this.logger.warn(`compaction failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
