import { Command } from '@nestjs/cqrs';

/**
 * Cancels every unfinished node of a workflow (docs/workflows.md): how many nodes it cancelled
 * directly (their waiting dependents go with them).
 */
export class CancelWorkflowCommand extends Command<number> {
  constructor(
    readonly namespace: string,
    readonly id: string,
  ) {
    super();
  }
}
