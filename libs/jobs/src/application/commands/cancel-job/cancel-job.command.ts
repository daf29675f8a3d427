import { Command } from '@nestjs/cqrs';
import type { JobView } from '../../job-view.js';

/** Cancels a job that has not started (pending) or is waiting for a retry (failed). */
export class CancelJobCommand extends Command<JobView> {
  constructor(
    readonly namespace: string,
    readonly id: string,
  ) {
    super();
  }
}
