import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { JobLifecycle } from '../../lifecycle/job-lifecycle.js';
import { CancelWorkflowCommand } from './cancel-workflow.command.js';

@CommandHandler(CancelWorkflowCommand)
export class CancelWorkflowHandler implements ICommandHandler<CancelWorkflowCommand> {
  constructor(private readonly lifecycle: JobLifecycle) {}

  execute({ namespace, id }: CancelWorkflowCommand): Promise<number> {
    return this.lifecycle.cancelWorkflow(namespace, id);
  }
}
