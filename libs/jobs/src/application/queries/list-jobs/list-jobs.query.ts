import { Query } from '@nestjs/cqrs';
import type { JobStatus } from '../../../domain/job-status.js';
import type { OutcomeFilter } from '../../ports/job-store.js';
import type { JobView } from '../../job-view.js';

export interface ListJobsInput extends OutcomeFilter {
  namespace: string;
  status: JobStatus | null;
  queue: string | null;
  type: string | null;
  limit: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor: string | null;
}

export interface JobPage {
  items: JobView[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export class ListJobsQuery extends Query<JobPage> {
  constructor(readonly input: ListJobsInput) {
    super();
  }
}
