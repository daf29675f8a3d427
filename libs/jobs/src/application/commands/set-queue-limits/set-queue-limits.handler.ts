import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { InvalidJobFieldError } from '../../../domain/job.errors.js';
import { QUEUE_CONTROLS, type QueueControls } from '../../ports/queue-controls.js';
import { SetQueueLimitsCommand } from './set-queue-limits.command.js';

@CommandHandler(SetQueueLimitsCommand)
export class SetQueueLimitsHandler implements ICommandHandler<SetQueueLimitsCommand> {
  private readonly logger = new Logger('Queues');

  constructor(@Inject(QUEUE_CONTROLS) private readonly controls: QueueControls) {}

  async execute({ namespace, queue, type, limits }: SetQueueLimitsCommand): Promise<void> {
    if (type !== null && limits.perKey !== null) {
      throw new InvalidJobFieldError(
        'keyConcurrencyLimit',
        'a per-key limit is set for a whole queue, not for a type',
      );
    }
    await this.controls.setLimits(namespace, queue, type, limits);
    this.logger.log({
      msg: 'queue limits set',
      namespace,
      queue,
      ...(type === null ? {} : { jobType: type }),
      limits,
    });
  }
}
