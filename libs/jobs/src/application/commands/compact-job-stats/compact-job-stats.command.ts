import { Command } from '@nestjs/cqrs';

/**
 * Folds the stats deltas the job triggers append into the counters (see migration JobStats);
 * with `prune`, also drops per-minute counts older than a day. How many delta rows were folded.
 */
export class CompactJobStatsCommand extends Command<number> {
  constructor(readonly prune: boolean) {
    super();
  }
}
