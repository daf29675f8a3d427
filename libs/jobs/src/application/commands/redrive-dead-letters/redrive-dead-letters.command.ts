import { Command } from '@nestjs/cqrs';
import type { RedriveFilter } from '../../ports/job-store.js';

/** Moves matching dead letters back to pending with a fresh attempt budget; reports how many. */
export class RedriveDeadLettersCommand extends Command<{ redriven: number }> {
  constructor(readonly filter: RedriveFilter) {
    super();
  }
}
