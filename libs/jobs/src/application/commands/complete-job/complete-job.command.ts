import { Command } from '@nestjs/cqrs';
import type { JobView } from '../../job-view.js';

export class CompleteJobCommand extends Command<JobView> {
  constructor(
    readonly namespace: string,
    readonly id: string,
    readonly leaseToken: string,
    readonly result: unknown,
  ) {
    super();
  }
}
