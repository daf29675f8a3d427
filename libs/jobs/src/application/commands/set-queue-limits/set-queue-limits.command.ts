import { Command } from '@nestjs/cqrs';

/**
 * Sets the concurrency limits of a queue of a namespace, or of one type in it (`type`): at most
 * `concurrency` of its jobs running at once across every instance and REST worker, and (whole
 * queues only) at most `perKey` with the same concurrency key. null lifts a limit.
 */
export class SetQueueLimitsCommand extends Command<void> {
  constructor(
    readonly namespace: string,
    readonly queue: string,
    readonly type: string | null,
    readonly concurrency: number | null,
    readonly perKey: number | null,
  ) {
    super();
  }
}
