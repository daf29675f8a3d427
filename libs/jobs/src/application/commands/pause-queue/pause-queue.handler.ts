import { Inject, Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { QUEUE_CONTROLS, type QueueControls } from '../../ports/queue-controls.js';
import { PauseQueueCommand } from './pause-queue.command.js';

@CommandHandler(PauseQueueCommand)
export class PauseQueueHandler implements ICommandHandler<PauseQueueCommand> {
  private readonly logger = new Logger('Queues');

  constructor(@Inject(QUEUE_CONTROLS) private readonly controls: QueueControls) {}

  async execute({ namespace, queue, type, paused }: PauseQueueCommand): Promise<void> {
    await this.controls.setPaused(namespace, queue, type, paused);
    this.logger.log({
      msg: paused ? 'queue paused' : 'queue resumed',
      namespace,
      queue,
      ...(type === null ? {} : { jobType: type }),
    });
  }
}
