import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { JobClaimed, JobSettled, JobSubmitted, LeaseExpired } from '#conveyor/jobs';
import { JobMetrics } from './job-metrics.js';

@EventsHandler(JobSubmitted)
export class CountSubmits implements IEventHandler<JobSubmitted> {
  constructor(private readonly metrics: JobMetrics) {}

  handle({ queue, type, deduplicated, count }: JobSubmitted): void {
    (deduplicated ? this.metrics.deduplicated : this.metrics.submitted).inc(
      this.metrics.labels(queue, type),
      count,
    );
  }
}

@EventsHandler(JobClaimed)
export class ObserveWaits implements IEventHandler<JobClaimed> {
  constructor(private readonly metrics: JobMetrics) {}

  handle({ queue, type, waitSeconds }: JobClaimed): void {
    if (waitSeconds !== null)
      this.metrics.waitSeconds.observe(this.metrics.labels(queue, type), Math.max(0, waitSeconds));
  }
}

@EventsHandler(JobSettled)
export class CountOutcomes implements IEventHandler<JobSettled> {
  constructor(private readonly metrics: JobMetrics) {}

  handle({ queue, type, outcome, runSeconds }: JobSettled): void {
    const labels = this.metrics.labels(queue, type);
    switch (outcome) {
      case 'completed':
        this.metrics.completed.inc(labels);
        break;
      case 'failed':
        this.metrics.failed.inc(labels);
        break;
      case 'dead_letter':
        this.metrics.deadLettered.inc(labels);
        break;
    }
    if (runSeconds !== null) this.metrics.runSeconds.observe(labels, Math.max(0, runSeconds));
  }
}

@EventsHandler(LeaseExpired)
export class CountExpiredLeases implements IEventHandler<LeaseExpired> {
  constructor(private readonly metrics: JobMetrics) {}

  handle({ queue, type }: LeaseExpired): void {
    this.metrics.leaseExpired.inc(this.metrics.labels(queue, type));
  }
}
