import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { JobLifecycle } from '../../lifecycle/job-lifecycle.js';
import { currentTraceparent, NewJobs } from '../../new-jobs.js';
import { SubmitJobCommand, type SubmitJobResult } from './submit-job.command.js';

@CommandHandler(SubmitJobCommand)
export class SubmitJobHandler implements ICommandHandler<SubmitJobCommand> {
  constructor(
    private readonly newJobs: NewJobs,
    private readonly lifecycle: JobLifecycle,
  ) {}

  async execute({ input }: SubmitJobCommand): Promise<SubmitJobResult> {
    const [result] = await this.lifecycle.submit([this.newJobs.prepare(input, currentTraceparent())]);
    if (result === undefined) throw new Error('a submit went unanswered');
    if (!result.ok) throw result.error;
    return result.outcome;
  }
}
