import { Query } from '@nestjs/cqrs';
import type { JobEventView, JobView } from '../../job-view.js';

export interface JobWithHistory extends JobView {
  /** Every transition, oldest first. */
  events: JobEventView[];
}

export class GetJobQuery extends Query<JobWithHistory> {
  constructor(
    readonly namespace: string,
    readonly id: string,
  ) {
    super();
  }
}
