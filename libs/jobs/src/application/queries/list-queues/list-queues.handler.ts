import { Inject } from '@nestjs/common';
import { type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { JOB_STATUSES, type JobStatus } from '../../../domain/job-status.js';
import { JOB_READS, type JobReads } from '../../ports/job-reads.js';
import { ListQueuesQuery, type QueueList, type QueueView } from './list-queues.query.js';

const zeroCounts = (): Record<JobStatus, number> =>
  Object.fromEntries(JOB_STATUSES.map((status) => [status, 0])) as Record<JobStatus, number>;

@QueryHandler(ListQueuesQuery)
export class ListQueuesHandler implements IQueryHandler<ListQueuesQuery> {
  constructor(@Inject(JOB_READS) private readonly reads: JobReads) {}

  async execute({ namespace, queue: only }: ListQueuesQuery): Promise<QueueList> {
    const facts = await this.reads.queueOverview(namespace);
    const byName = new Map<string, QueueView>();
    const queue = (name: string): QueueView => {
      let view = byName.get(name);
      if (view === undefined) {
        view = {
          queue: name,
          paused: false,
          pausedTypes: [],
          concurrencyLimit: null,
          keyConcurrencyLimit: null,
          rateLimit: null,
          typeLimits: [],
          counts: zeroCounts(),
          oldestPendingAgeSeconds: null,
        };
        byName.set(name, view);
      }
      return view;
    };
    if (only !== null) queue(only);
    for (const row of facts.counts) queue(row.queue).counts[row.status] = row.count;
    for (const row of facts.oldestPending) queue(row.queue).oldestPendingAgeSeconds = row.ageSeconds;
    for (const row of facts.controls) {
      const view = queue(row.queue);
      if (row.type === null) {
        view.paused = row.paused;
        view.concurrencyLimit = row.concurrencyLimit;
        view.keyConcurrencyLimit = row.keyConcurrencyLimit;
        view.rateLimit = row.rateLimit;
        continue;
      }
      if (row.paused) view.pausedTypes.push(row.type);
      if (row.concurrencyLimit !== null || row.rateLimit !== null) {
        view.typeLimits.push({
          type: row.type,
          concurrencyLimit: row.concurrencyLimit,
          rateLimit: row.rateLimit,
        });
      }
    }
    const queues = [...byName.values()].sort((a, b) => (a.queue < b.queue ? -1 : a.queue > b.queue ? 1 : 0));
    return { queues: only === null ? queues : queues.filter((view) => view.queue === only) };
  }
}
