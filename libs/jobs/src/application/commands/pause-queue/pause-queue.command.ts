import { Command } from '@nestjs/cqrs';

/**
 * Pauses (`paused` true) or resumes a queue of a namespace, or one type in it (`type`). Paused, its
 * jobs are still accepted but no claim takes them, on any instance; running jobs finish.
 */
export class PauseQueueCommand extends Command<void> {
  constructor(
    readonly namespace: string,
    readonly queue: string,
    readonly type: string | null,
    readonly paused: boolean,
  ) {
    super();
  }
}
