import { Query } from '@nestjs/cqrs';
import type { AttemptRecord } from '../../../domain/attempt-history.js';
import type { JobEventView, JobView, ProgressView } from '../../job-view.js';

export interface JobWithHistory extends JobView {
  /** Every transition, oldest first. */
  events: JobEventView[];
  /** Per attempt: worker, start, end, duration, outcome, error. */
  attemptHistory: AttemptRecord[];
  /** What its lease holder last reported of its progress; null when nothing was. */
  progress: ProgressView | null;
}

/**
 * A job with its history. With `waitSeconds`, an unfinished job is answered once it finishes
 * (completed, dead_letter or cancelled) or when the time is up, whichever comes first.
 */
export class GetJobQuery extends Query<JobWithHistory> {
  constructor(
    readonly namespace: string,
    readonly id: string,
    readonly waitSeconds = 0,
  ) {
    super();
  }
}
