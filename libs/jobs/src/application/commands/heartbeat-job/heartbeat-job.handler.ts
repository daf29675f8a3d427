import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { JobRepository } from '../../../infrastructure/job.repository.js';
import { explainRefusal } from '../../job-decisions.js';
import { HeartbeatJobCommand, type HeartbeatResult } from './heartbeat-job.command.js';

@CommandHandler(HeartbeatJobCommand)
export class HeartbeatJobHandler implements ICommandHandler<HeartbeatJobCommand> {
  constructor(private readonly repository: JobRepository) {}

  async execute({ namespace, id, leaseToken, leaseSeconds }: HeartbeatJobCommand): Promise<HeartbeatResult> {
    const extended = await this.repository.extendLeases(namespace, [{ id, leaseToken }], leaseSeconds);
    const leaseExpiresAt = extended.get(id);
    if (leaseExpiresAt !== undefined) return { id, leaseExpiresAt };
    return explainRefusal(this.repository, namespace, id, (job) => job.heartbeat(leaseToken));
  }
}
