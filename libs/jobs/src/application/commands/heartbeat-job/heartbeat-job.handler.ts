import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { JobLifecycle } from '../../lifecycle/job-lifecycle.js';
import { replayOrRefuse } from '../../refusals.js';
import { HeartbeatJobCommand, type HeartbeatResult } from './heartbeat-job.command.js';

@CommandHandler(HeartbeatJobCommand)
export class HeartbeatJobHandler implements ICommandHandler<HeartbeatJobCommand> {
  constructor(private readonly lifecycle: JobLifecycle) {}

  async execute({ namespace, id, leaseToken, leaseSeconds }: HeartbeatJobCommand): Promise<HeartbeatResult> {
    const extended = await this.lifecycle.extendLeases(namespace, [{ id, leaseToken }], leaseSeconds);
    const leaseExpiresAt = extended.get(id);
    if (leaseExpiresAt !== undefined) return { id, leaseExpiresAt };
    await replayOrRefuse(this.lifecycle, namespace, id, leaseToken, 'heartbeat');
    // A heartbeat is never a replay: the explainer refuses one on a lease that has ended.
    throw new Error(`job ${id}: a refused heartbeat was explained as a replay`);
  }
}
