import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { JobSettled } from '../../../domain/lifecycle.events.js';
import { JobRepository } from '../../../infrastructure/job.repository.js';
import { SettleBatcher } from '../../../infrastructure/settle-batcher.js';
import { explainRefusal } from '../../job-decisions.js';
import type { JobView } from '../../job-view.js';
import { FailJobCommand } from './fail-job.command.js';

@CommandHandler(FailJobCommand)
export class FailJobHandler implements ICommandHandler<FailJobCommand> {
  constructor(
    private readonly repository: JobRepository,
    private readonly settler: SettleBatcher,
    private readonly events: EventBus,
  ) {}

  async execute({ namespace, id, leaseToken, error, retryable }: FailJobCommand): Promise<JobView> {
    const failed = await this.settler.fail(namespace, { id, leaseToken, error, retryable });
    if (failed === undefined) {
      return explainRefusal(this.repository, namespace, id, (job) => job.fail(leaseToken, retryable));
    }
    this.events.publish(JobSettled.of(failed));
    return failed;
  }
}
