import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { JobRepository } from '../../../infrastructure/job.repository.js';
import { explainRefusal } from '../../explain-refusal.js';
import type { JobView } from '../../job-view.js';
import { CompleteJobCommand } from './complete-job.command.js';

@CommandHandler(CompleteJobCommand)
export class CompleteJobHandler implements ICommandHandler<CompleteJobCommand> {
  constructor(private readonly repository: JobRepository) {}

  async execute({ namespace, id, leaseToken, result }: CompleteJobCommand): Promise<JobView> {
    const completed = await this.repository.complete(namespace, [{ id, leaseToken, result }]);
    return (
      completed.get(id) ?? explainRefusal(this.repository, namespace, id, (job) => job.complete(leaseToken))
    );
  }
}
