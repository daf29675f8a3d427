import { Command } from '@nestjs/cqrs';

/**
 * Starts a workflow's dead-lettered and cancelled nodes again, each with a fresh attempt budget
 * (docs/workflows.md): how many nodes moved.
 */
export class RetryWorkflowCommand extends Command<number> {
  constructor(
    readonly namespace: string,
    readonly id: string,
  ) {
    super();
  }
}
