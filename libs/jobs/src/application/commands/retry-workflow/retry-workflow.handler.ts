import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { JobLifecycle } from '../../lifecycle/job-lifecycle.js';
import { RetryWorkflowCommand } from './retry-workflow.command.js';

@CommandHandler(RetryWorkflowCommand)
export class RetryWorkflowHandler implements ICommandHandler<RetryWorkflowCommand> {
  constructor(private readonly lifecycle: JobLifecycle) {}

  execute({ namespace, id }: RetryWorkflowCommand): Promise<number> {
    return this.lifecycle.retryWorkflow(namespace, id);
  }
}
