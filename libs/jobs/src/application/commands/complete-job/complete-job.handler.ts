import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { JobSettled } from '../../../domain/lifecycle.events.js';
import { JobRepository } from '../../../infrastructure/job.repository.js';
import { SettleBatcher } from '../../../infrastructure/settle-batcher.js';
import { explainRefusal } from '../../job-decisions.js';
import type { JobView } from '../../job-view.js';
import { CompleteJobCommand } from './complete-job.command.js';

@CommandHandler(CompleteJobCommand)
export class CompleteJobHandler implements ICommandHandler<CompleteJobCommand> {
  constructor(
    private readonly repository: JobRepository,
    private readonly settler: SettleBatcher,
    private readonly events: EventBus,
  ) {}

  async execute({ namespace, id, leaseToken, result }: CompleteJobCommand): Promise<JobView> {
    const completed = await this.settler.complete(namespace, { id, leaseToken, result });
    if (completed === undefined) {
      return explainRefusal(this.repository, namespace, id, (job) => job.complete(leaseToken));
    }
    this.events.publish(JobSettled.of(completed));
    return completed;
  }
}
