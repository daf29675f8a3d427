import { Command } from '@nestjs/cqrs';
import type { JobView } from '../../job-view.js';

/** Puts a dead-lettered or cancelled job back to pending with a fresh attempt budget. */
export class RetryJobCommand extends Command<JobView> {
  constructor(
    readonly namespace: string,
    readonly id: string,
  ) {
    super();
  }
}
