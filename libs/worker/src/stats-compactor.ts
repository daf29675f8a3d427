import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { DatabaseOutage } from '#conveyor/database';
import { CompactJobStatsCommand } from '#conveyor/jobs';
import { errorMessage } from './error-message.js';
import { repeat } from './timing.js';

const COMPACT_EVERY_MS = 1000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * Folds the stats deltas the job triggers append into the counters (see the jobs library's
 * JobStats migration). Runs in every role, CONVEYOR_ROLE=api included: any instance that writes
 * jobs produces deltas. Safe on many instances at once: each delta row is deleted, and so
 * counted, by exactly one of them.
 */
@Injectable()
export class StatsCompactor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Stats');
  private stop: (() => Promise<void>) | undefined;
  private lastPrune = 0;

  constructor(
    private readonly commandBus: CommandBus,
    private readonly outage: DatabaseOutage,
  ) {}

  onApplicationBootstrap(): void {
    this.stop = repeat(
      COMPACT_EVERY_MS,
      () => this.compact(),
      (error) => {
        this.outage.backgroundFailed(error, () => {
          this.logger.warn(`compaction failed: ${errorMessage(error)}`);
        });
      },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop?.();
  }

  private async compact(): Promise<void> {
    const prune = Date.now() - this.lastPrune > PRUNE_EVERY_MS;
    if (prune) this.lastPrune = Date.now();
    await this.commandBus.execute(new CompactJobStatsCommand(prune));
  }
}
